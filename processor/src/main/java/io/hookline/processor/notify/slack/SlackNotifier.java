package io.hookline.processor.notify.slack;

import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.hookline.processor.notify.HttpPost;
import io.hookline.processor.notify.Messages;
import io.hookline.processor.notify.Notification;
import io.hookline.processor.notify.Notifier;
import io.hookline.schema.AlertEvent;
import io.hookline.schema.AlertStatus;

/**
 * A Slack incoming webhook: the headline, then a line per alert when the route groups. The text is cut to Slack's
 * 3,000 characters per section with a pointer to the full alerts, so that a long list never gets the message
 * rejected.
 */
@ApplicationScoped
public class SlackNotifier implements Notifier {

    static final int LIMIT = 3000;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String type() {
        return "slack";
    }

    @Override
    public Result send(Notification notification) {
        return HttpPost.json(notification.receiver().config(SlackConfig.class).url(), body(notification), Map.of(), notification.receiver().timeout());
    }

    private static String icon(AlertEvent alert) {
        return alert.getStatus() == AlertStatus.RESOLVED ? ":large_green_circle:"
                : alert.getSeverity() == io.hookline.schema.Severity.CRITICAL ? ":red_circle:" : ":large_yellow_circle:";
    }

    /**
     * Text from hooks as Slack shows it, never as markup: {@code <!channel>}, {@code <@U123>} and
     * {@code <https://x|click>} become literal text (Slack's own escaping of &, < and >).
     */
    static String escape(String text) {
        StringBuilder escaped = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> escaped.append("&amp;");
                case '<' -> escaped.append("&lt;");
                case '>' -> escaped.append("&gt;");
                default -> escaped.append(c);
            }
        }
        return escaped.toString();
    }

    /** Inside a code span only a backtick could end it early. */
    private static String code(String text) {
        return escape(text.replace('`', '\''));
    }

    static String body(Notification notification) {
        StringBuilder text = new StringBuilder(icon(notification.lead()) + " " + escape(Messages.headline(notification)));
        if (notification.grouped()) {
            for (AlertEvent alert : notification.alerts()) {
                text.append("\n").append(icon(alert)).append(' ').append(escape(Messages.describe(alert)))
                        .append(" `").append(code(alert.getAlertKey())).append('`');
            }
        } else {
            text.append("\n`").append(code(notification.lead().getAlertKey())).append('`');
        }
        String cut = Messages.cut(text.toString(), LIMIT,
                "... (cut; every alert: " + notification.where() + ")");
        try {
            return JSON.writeValueAsString(Map.of("text", cut));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
