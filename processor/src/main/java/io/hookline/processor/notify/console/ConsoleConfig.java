package io.hookline.processor.notify.console;

import io.hookline.processor.notify.ChannelConfig;
import io.hookline.processor.notify.ReceiverOptions;

/** The console channel takes no options. */
public record ConsoleConfig() implements ChannelConfig {

    public static ConsoleConfig parse(ReceiverOptions options) {
        return new ConsoleConfig();
    }
}
