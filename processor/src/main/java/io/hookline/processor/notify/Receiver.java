package io.hookline.processor.notify;

import java.time.Duration;

/**
 * Where notifications go, and how: a channel type and its typed settings, a time-out per attempt and how many
 * attempts a notification gets. URLs, keys, passwords and secrets are credentials: never printed.
 */
public record Receiver(String name, String type, ChannelConfig config, Duration timeout, int maxAttempts, int line) {

    /** The channel's settings as the channel's own type; a notifier asks for its own. */
    public <C extends ChannelConfig> C config(Class<C> type) {
        return type.cast(config);
    }

    @Override
    public String toString() {
        return "receiver " + name + " (" + type + ")";
    }
}
