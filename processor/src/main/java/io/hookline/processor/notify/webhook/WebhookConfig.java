package io.hookline.processor.notify.webhook;

import java.net.URI;

import io.hookline.processor.notify.ChannelConfig;
import io.hookline.processor.notify.ReceiverOptions;

/** {@code url} (required) and {@code secret}, the Standard Webhooks signing key (optional). */
public record WebhookConfig(URI url, String secret) implements ChannelConfig {

    public static WebhookConfig parse(ReceiverOptions options) {
        URI url = options.url("url", true);
        String secret = options.text("secret");
        if (secret != null && secret.isBlank()) {
            options.problem("secret", "has an empty secret: leave it out to send unsigned");
        }
        return url == null ? null : new WebhookConfig(url, secret);
    }

    @Override
    public String toString() {
        return "webhook to " + url.getHost() + (secret == null ? "" : ", signed");
    }
}
