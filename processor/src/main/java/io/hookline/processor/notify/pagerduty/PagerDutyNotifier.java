package io.hookline.processor.notify.pagerduty;

import java.net.URI;
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
import io.hookline.schema.AlertStatus;
import io.hookline.schema.Severity;

/**
 * PagerDuty Events API v2: trigger on firing and repeats, resolve on resolved, with the alert key as
 * dedup_key so that PagerDuty folds them into one incident and closes it.
 */
@ApplicationScoped
public class PagerDutyNotifier implements Notifier {

    static final String EVENTS_URL = "https://events.pagerduty.com/v2/enqueue";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String type() {
        return "pagerduty";
    }

    @Override
    public Result send(Notification notification) {
        URI url = URI.create(notification.receiver().option("url", EVENTS_URL));
        return HttpPost.json(url, body(notification), Map.of(), notification.receiver().timeout());
    }

    static String body(Notification notification) {
        AlertEvent alert = notification.alert();
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("routing_key", notification.receiver().option("routing-key"));
        event.put("event_action", alert.getStatus() == AlertStatus.RESOLVED ? "resolve" : "trigger");
        event.put("dedup_key", alert.getAlertKey());
        if (alert.getStatus() != AlertStatus.RESOLVED) {
            Map<String, Object> payload = new LinkedHashMap<>();
            String summary = Messages.headline(notification);
            payload.put("summary", summary.length() > 1024 ? summary.substring(0, 1021) + "..." : summary);
            payload.put("source", alert.getHost() != null ? alert.getHost() : alert.getSourceName());
            payload.put("severity", alert.getSeverity() == Severity.CRITICAL ? "critical"
                    : alert.getSeverity() == Severity.WARNING ? "warning" : "info");
            payload.put("component", alert.getJobKey());
            payload.put("class", alert.getCondition().name().toLowerCase(Locale.ROOT));
            payload.put("timestamp", alert.getStartsAt().toString());
            payload.put("custom_details", Map.of("jobName", String.valueOf(alert.getJobName()), "eventIds", alert.getEventIds()));
            event.put("payload", payload);
        }
        try {
            return JSON.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
