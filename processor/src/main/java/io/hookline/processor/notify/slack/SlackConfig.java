package io.hookline.processor.notify.slack;

import java.net.URI;

import io.hookline.processor.notify.ChannelConfig;
import io.hookline.processor.notify.ReceiverOptions;

/** {@code url}: the incoming webhook's URL, a credential in itself. */
public record SlackConfig(URI url) implements ChannelConfig {

    public static SlackConfig parse(ReceiverOptions options) {
        URI url = options.url("url", true);
        return url == null ? null : new SlackConfig(url);
    }

    @Override
    public String toString() {
        return "slack webhook on " + url.getHost();
    }
}
