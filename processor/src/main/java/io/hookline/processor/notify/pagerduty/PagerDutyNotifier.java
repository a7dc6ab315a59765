package io.hookline.processor.notify.pagerduty;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.hookline.processor.notify.HttpPost;
import io.hookline.processor.notify.Messages;
import io.hookline.processor.notify.Notification;
import io.hookline.processor.notify.Notifier;
import io.hookline.schema.AlertEvent;
import io.hookline.schema.Severity;

/**
 * PagerDuty Events API v2: trigger while anything in the notification fires, resolve once nothing does, with the
 * group's key (the alert key unless the route groups) as dedup_key, so that PagerDuty folds them into one incident
 * and closes it.
 */
@ApplicationScoped
public class PagerDutyNotifier implements Notifier {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String type() {
        return "pagerduty";
    }

    @Override
    public Result send(Notification notification) {
        return HttpPost.json(notification.receiver().config(PagerDutyConfig.class).url(), body(notification), Map.of(), notification.receiver().timeout());
    }

    static String body(Notification notification) {
        AlertEvent alert = notification.lead();
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("routing_key", notification.receiver().config(PagerDutyConfig.class).routingKey());
        event.put("event_action", notification.firingCount() == 0 ? "resolve" : "trigger");
        event.put("dedup_key", notification.groupKey());
        if (notification.firingCount() > 0) {
            Map<String, Object> payload = new LinkedHashMap<>();
            payload.put("summary", Messages.cut(Messages.headline(notification), 1024, "..."));
            payload.put("source", alert.getHost() != null ? alert.getHost() : alert.getSourceName());
            payload.put("severity", alert.getSeverity() == Severity.CRITICAL ? "critical"
                    : alert.getSeverity() == Severity.WARNING ? "warning" : "info");
            payload.put("component", alert.getJobKey());
            payload.put("class", alert.getCondition().name().toLowerCase(Locale.ROOT));
            payload.put("timestamp", alert.getStartsAt().toString());
            payload.put("custom_details", notification.grouped()
                    ? Map.of("groupLabels", notification.groupLabels(), "alerts", Messages.lines(notification))
                    : Map.of("jobName", String.valueOf(alert.getJobName()), "eventIds", alert.getEventIds()));
            event.put("payload", payload);
            if (notification.link() != null) {
                event.put("links", java.util.List.of(Map.of("href", notification.link(), "text", "Alerts in Hookline")));
            }
        }
        try {
            return JSON.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
