package io.hookline.processor.notify;

/**
 * A channel's own settings, typed and checked when the rules are loaded: each channel's folder has one
 * ({@code notify/slack/SlackConfig}) with a {@code parse(ReceiverOptions)} that names the line of every mistake.
 * Credentials among them are never printed.
 */
public interface ChannelConfig {
}
