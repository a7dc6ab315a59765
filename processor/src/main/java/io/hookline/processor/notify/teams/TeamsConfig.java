package io.hookline.processor.notify.teams;

import java.net.URI;

import io.hookline.processor.notify.ChannelConfig;
import io.hookline.processor.notify.ReceiverOptions;

/** {@code url}: the workflow's webhook URL, a credential in itself. */
public record TeamsConfig(URI url) implements ChannelConfig {

    public static TeamsConfig parse(ReceiverOptions options) {
        URI url = options.url("url", true);
        return url == null ? null : new TeamsConfig(url);
    }

    @Override
    public String toString() {
        return "teams webhook on " + url.getHost();
    }
}
