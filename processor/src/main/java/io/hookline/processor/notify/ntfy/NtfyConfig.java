package io.hookline.processor.notify.ntfy;

import java.net.URI;
import java.util.Set;

import io.hookline.processor.notify.ChannelConfig;
import io.hookline.processor.notify.ReceiverOptions;

/**
 * {@code url} (the topic's URL), {@code token} (an access token, optional) and {@code priority} (one of ntfy's,
 * optional: without it the priority follows the alert's severity).
 */
public record NtfyConfig(URI url, String token, String priority) implements ChannelConfig {

    static final Set<String> PRIORITIES = Set.of("max", "urgent", "high", "default", "low", "min", "1", "2", "3", "4", "5");

    public static NtfyConfig parse(ReceiverOptions options) {
        URI url = options.url("url", true);
        String token = options.text("token");
        String priority = options.oneOf("priority", PRIORITIES, null);
        return url == null ? null : new NtfyConfig(url, token, priority);
    }

    @Override
    public String toString() {
        return "ntfy on " + url.getHost() + (token == null ? "" : " with a token");
    }
}
