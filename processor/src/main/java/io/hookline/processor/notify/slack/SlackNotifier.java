package io.hookline.processor.notify.slack;

import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.hookline.processor.notify.HttpPost;
import io.hookline.processor.notify.Messages;
import io.hookline.processor.notify.Notification;
import io.hookline.processor.notify.Notifier;
import io.hookline.schema.AlertStatus;

/**
 * A Slack incoming webhook. The text is cut to Slack's 3,000 characters per section with a pointer to the full
 * alert, so that a long error list never gets the message rejected.
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
        return HttpPost.json(notification.receiver().url(), body(notification), Map.of(), notification.receiver().timeout());
    }

    static String body(Notification notification) {
        String icon = notification.alert().getStatus() == AlertStatus.RESOLVED ? ":large_green_circle:"
                : switch (notification.alert().getSeverity()) {
                    case CRITICAL -> ":red_circle:";
                    default -> ":large_yellow_circle:";
                };
        String text = icon + " " + Messages.headline(notification) + "\n`" + notification.alert().getAlertKey() + "`";
        if (text.length() > LIMIT) {
            String more = "... (cut; the whole alert is in /api/alerts: " + notification.alert().getAlertKey() + ")";
            text = text.substring(0, LIMIT - more.length()) + more;
        }
        try {
            return JSON.writeValueAsString(Map.of("text", text));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
