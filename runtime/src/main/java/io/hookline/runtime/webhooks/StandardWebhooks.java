package io.hookline.runtime.webhooks;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Standard Webhooks signatures: HMAC-SHA256 of {@code id.timestamp.body} with the key in a {@code whsec_<base64>}
 * secret. The gateway verifies what sources send; the processor signs what it sends to webhooks.
 */
public final class StandardWebhooks {

    private StandardWebhooks() {
    }

    public static byte[] sign(String secret, String id, String timestamp, String body) {
        String key = secret.startsWith("whsec_") ? secret.substring(6) : secret;
        byte[] keyBytes;
        try {
            keyBytes = Base64.getDecoder().decode(key);
        } catch (IllegalArgumentException notBase64) {
            keyBytes = key.getBytes(StandardCharsets.UTF_8);
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(keyBytes, "HmacSHA256"));
            return mac.doFinal((id + "." + timestamp + "." + (body == null ? "" : body)).getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The header value: {@code v1,<base64 signature>}. */
    public static String signatureHeader(String secret, String id, String timestamp, String body) {
        return "v1," + Base64.getEncoder().encodeToString(sign(secret, id, timestamp, body));
    }
}
