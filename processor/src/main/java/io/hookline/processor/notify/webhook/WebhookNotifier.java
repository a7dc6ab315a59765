package io.hookline.processor.notify.webhook;

import java.time.Instant;
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
import io.hookline.runtime.webhooks.StandardWebhooks;

/**
 * A generic webhook per Standard Webhooks: {@code {"type", "timestamp", "data"}}, with {@code webhook-id} (the
 * idempotency key), {@code webhook-timestamp} and, when the receiver has a secret, {@code webhook-signature}
 * ({@code v1,} base64 HMAC-SHA256 of {@code id.timestamp.body}).
 */
@ApplicationScoped
public class WebhookNotifier implements Notifier {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String type() {
        return "webhook";
    }

    @Override
    public Result send(Notification notification) {
        long timestamp = Instant.now().getEpochSecond();
        String body = body(notification, timestamp);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("webhook-id", notification.id());
        headers.put("webhook-timestamp", Long.toString(timestamp));
        WebhookConfig config = notification.receiver().config(WebhookConfig.class);
        String secret = config.secret();
        if (secret != null) {
            headers.put("webhook-signature",
                    StandardWebhooks.signatureHeader(secret, notification.id(), Long.toString(timestamp), body));
        }
        return HttpPost.json(config.url(), body, headers, notification.receiver().timeout());
    }

    /**
     * {@code data} describes the lead alert (the most severe firing one) with the fields of every alert, and adds
     * {@code alerts} (every alert of the notification: one unless the route groups), {@code groupKey} and
     * {@code groupLabels}.
     */
    static String body(Notification notification, long timestamp) {
        if (notification.command() != null) {
            return commandBody(notification.command(), timestamp);
        }
        AlertEvent lead = notification.lead();
        Map<String, Object> data = fields(lead);
        data.put("headline", Messages.headline(notification));
        data.put("test", notification.test());
        data.put("groupKey", notification.groupKey());
        data.put("groupLabels", notification.groupLabels());
        data.put("link", notification.link());
        data.put("alerts", notification.alerts().stream().map(WebhookNotifier::fields).toList());
        return envelope("alert." + notification.status().name().toLowerCase(Locale.ROOT), timestamp, data);
    }

    /** The Standard Webhooks payload: {@code {"type", "timestamp", "data"}}. */
    private static String envelope(String type, long timestamp, Map<String, Object> data) {
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("type", type);
        envelope.put("timestamp", Instant.ofEpochSecond(timestamp).toString());
        envelope.put("data", data);
        try {
            return JSON.writeValueAsString(envelope);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A chain's webhook action: {@code type} {@code chain.command}, {@code data} the command (its id, rule, the job it
     * runs as, its parameters, the upstream runs that caused it, when it may run and when it expires); a retention
     * prune: {@code type} {@code retention.prune}, the same and {@code prune}.
     */
    static String commandBody(io.hookline.schema.Command command, long timestamp) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("commandId", command.getCommandId());
        data.put("rule", command.getCause().getRule());
        data.put("jobKey", command.getJobKey());
        data.put("depth", command.getCause().getDepth());
        data.put("parameters", new java.util.TreeMap<>(command.getParameters()));
        data.put("upstream", command.getCause().getUpstream().stream().map(run -> {
            Map<String, Object> upstream = new LinkedHashMap<>();
            upstream.put("jobKey", run.getJobKey());
            upstream.put("runId", run.getRunId());
            upstream.put("outcome", run.getOutcome().name().toLowerCase(Locale.ROOT));
            upstream.put("finishedAt", run.getFinishedAt().toString());
            return upstream;
        }).toList());
        data.put("notBefore", command.getNotBefore().toString());
        data.put("expiresAt", command.getExpiresAt().toString());
        if (command.getPrune() != null) {
            data.put("prune", pruneOrder(command.getPrune()));
            return envelope("retention.prune", timestamp, data);
        }
        return envelope("chain.command", timestamp, data);
    }

    /**
     * What retention asks a webhook to delete: the job, the policy, the attempt, and each restore point as the job
     * reported it. Answer 2xx once they are deleted: Hookline then folds them as deleted; any other answer is retried.
     */
    private static Map<String, Object> pruneOrder(io.hookline.schema.PruneOrder order) {
        Map<String, Object> prune = new LinkedHashMap<>();
        prune.put("job", order.getJobKey());
        prune.put("policy", order.getPolicy());
        prune.put("attempt", order.getAttempt());
        prune.put("restorePoints", order.getRestorePoints().stream().map(point -> {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("id", point.getId());
            one.put("time", point.getCreatedAt().atOffset(java.time.ZoneOffset.ofTotalSeconds(
                    point.getUtcOffsetSeconds())).toString());
            one.put("location", point.getLocation());
            one.put("host", point.getHost());
            one.put("sizeBytes", point.getSizeBytes());
            one.put("tags", point.getTags());
            return one;
        }).toList());
        return prune;
    }

    private static Map<String, Object> fields(AlertEvent alert) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("alertKey", alert.getAlertKey());
        data.put("status", alert.getStatus().name().toLowerCase(Locale.ROOT));
        data.put("condition", alert.getCondition().name().toLowerCase(Locale.ROOT));
        data.put("severity", alert.getSeverity().name().toLowerCase(Locale.ROOT));
        data.put("jobKey", alert.getJobKey());
        data.put("source", alert.getSourceName());
        data.put("host", alert.getHost());
        data.put("job", alert.getJob());
        data.put("jobName", alert.getJobName());
        data.put("summary", alert.getSummary());
        data.put("startsAt", alert.getStartsAt().toString());
        data.put("endsAt", alert.getEndsAt() == null ? null : alert.getEndsAt().toString());
        data.put("sequence", alert.getSequence());
        data.put("eventIds", alert.getEventIds());
        return data;
    }
}
