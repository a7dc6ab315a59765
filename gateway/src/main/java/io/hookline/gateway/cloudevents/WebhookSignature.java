package io.hookline.gateway.cloudevents;

import java.security.MessageDigest;
import java.util.Base64;
import java.util.Optional;

import io.hookline.gateway.hook.HookRequest;
import io.hookline.runtime.webhooks.StandardWebhooks;

/**
 * Standard Webhooks signatures: {@code webhook-signature: v1,<base64 HMAC-SHA256 of id.timestamp.body>} with the
 * source's {@code whsec_<base64 key>}, a timestamp within five minutes, compared in constant time.
 */
final class WebhookSignature {

    static final long TOLERANCE_SECONDS = 300;

    private WebhookSignature() {
    }

    /** Why the request is not signed by this secret, or empty when it is. */
    static Optional<String> problem(String secret, HookRequest request, String body, long nowSeconds) {
        String id = request.header("webhook-id");
        String timestamp = request.header("webhook-timestamp");
        String signatures = request.signature();
        if (id == null || timestamp == null || signatures == null) {
            return Optional.of("this source requires Standard Webhooks signatures: webhook-id, webhook-timestamp and "
                    + "webhook-signature headers");
        }
        long sent;
        try {
            sent = Long.parseLong(timestamp.strip());
        } catch (NumberFormatException e) {
            return Optional.of("webhook-timestamp is not a number of seconds");
        }
        if (Math.abs(nowSeconds - sent) > TOLERANCE_SECONDS) {
            return Optional.of("webhook-timestamp is more than 5 minutes away from now (replay or clock skew)");
        }
        byte[] expected = StandardWebhooks.sign(secret, id, timestamp.strip(), body);
        for (String candidate : signatures.split(" ")) {
            int comma = candidate.indexOf(',');
            if (comma < 0 || !candidate.substring(0, comma).equals("v1")) {
                continue;
            }
            try {
                byte[] given = Base64.getDecoder().decode(candidate.substring(comma + 1));
                if (MessageDigest.isEqual(expected, given)) {
                    return Optional.empty();
                }
            } catch (IllegalArgumentException notBase64) {
                // try the next signature
            }
        }
        return Optional.of("webhook-signature does not match the body signed with this source's secret");
    }
}
