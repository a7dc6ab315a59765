package io.hookline.processor.rules;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

import io.hookline.processor.notify.ChannelConfig;
import io.hookline.processor.notify.ReceiverOptions;
import io.hookline.processor.notify.console.ConsoleConfig;
import io.hookline.processor.notify.email.EmailConfig;
import io.hookline.processor.notify.ntfy.NtfyConfig;
import io.hookline.processor.notify.pagerduty.PagerDutyConfig;
import io.hookline.processor.notify.slack.SlackConfig;
import io.hookline.processor.notify.sms.SmsConfig;
import io.hookline.processor.notify.teams.TeamsConfig;
import io.hookline.processor.notify.webhook.WebhookConfig;

/**
 * Every channel a receiver can have, by its {@code type:} in the rules, and how its options are read. The one place
 * a new channel is registered: its folder under {@code notify/} holds its config and its notifier.
 */
public final class Channels {

    /** The config reader of each type; it answers null when the options are unusable (and says why in them). */
    static final Map<String, Function<ReceiverOptions, ? extends ChannelConfig>> CONFIGS = new TreeMap<>(Map.of(
            "console", ConsoleConfig::parse,
            "webhook", WebhookConfig::parse,
            "slack", SlackConfig::parse,
            "teams", TeamsConfig::parse,
            "ntfy", NtfyConfig::parse,
            "pagerduty", PagerDutyConfig::parse,
            "sms", SmsConfig::parse,
            "email", EmailConfig::parse));

    private Channels() {
    }

    /** The channel types, sorted. */
    public static java.util.Set<String> types() {
        return CONFIGS.keySet();
    }
}
