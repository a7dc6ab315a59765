package io.hookline.processor.notify.pagerduty;

import java.net.URI;

import io.hookline.processor.notify.ChannelConfig;
import io.hookline.processor.notify.ReceiverOptions;

/** {@code routing-key} (the integration key, required) and {@code url} (Events API v2, PagerDuty's by default). */
public record PagerDutyConfig(String routingKey, URI url) implements ChannelConfig {

    static final URI EVENTS_URL = URI.create("https://events.pagerduty.com/v2/enqueue");

    public static PagerDutyConfig parse(ReceiverOptions options) {
        String routingKey = options.required("routing-key", "");
        URI url = options.url("url", false);
        return routingKey == null ? null : new PagerDutyConfig(routingKey, url == null ? EVENTS_URL : url);
    }

    @Override
    public String toString() {
        return "pagerduty events on " + url.getHost();
    }
}
