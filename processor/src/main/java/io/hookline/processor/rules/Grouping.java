package io.hookline.processor.rules;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.hookline.schema.AlertEvent;

/**
 * How a route batches alerts into notifications, as Alertmanager does. Alerts that share the values of
 * {@code by} (labels from {@link Matchers#KEYS}) form one group per receiver; the group's first notification waits
 * {@code groupWait} for more alerts to join, a change (a new alert, a repeat, a resolve) is sent at most every
 * {@code groupInterval}, and an unchanged group that still fires is sent again every {@code repeatInterval} (null: never).
 * {@code perAlert} ({@code group-by: ['...']}, the default) makes every alert its own group.
 */
public record Grouping(List<String> by, boolean perAlert, Duration groupWait, Duration groupInterval,
        Duration repeatInterval) {

    /** Without a grouping in the rules: every alert step is sent at once, on its own, and not repeated. */
    public static final Grouping NONE = new Grouping(List.of(), true, Duration.ZERO, Duration.ZERO, null);

    /** Alertmanager's timings, taken when a route groups but does not say when. */
    public static final Duration WAIT = Duration.ofSeconds(30);
    public static final Duration INTERVAL = Duration.ofMinutes(5);
    public static final Duration REPEAT = Duration.ofHours(4);

    /**
     * Every alert its own group, each step sent as it comes and never again: once a step is sent, its group has
     * nothing left to keep of it.
     */
    public boolean sendsEachStepOnce() {
        return perAlert && groupWait.isZero() && groupInterval.isZero() && repeatInterval == null;
    }

    /** The values of the grouping labels, in the order the rules give them. */
    public Map<String, String> labels(AlertEvent alert) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (perAlert) {
            labels.put("alert", alert.getAlertKey());
            return labels;
        }
        for (String label : by) {
            labels.put(label, io.hookline.processor.match.Matchers.value(alert, label));
        }
        return labels;
    }

    /**
     * The group an alert belongs to at a receiver: the alert key for per-alert grouping (so that PagerDuty's
     * incident for one alert keeps its key), else the receiver and the label values. Stable across restarts and
     * rule edits that keep the labels.
     */
    public String groupKey(String receiver, AlertEvent alert) {
        if (perAlert) {
            return alert.getAlertKey();
        }
        StringBuilder key = new StringBuilder(receiver).append('{');
        labels(alert).forEach((label, value) -> key.append(key.charAt(key.length() - 1) == '{' ? "" : ",")
                .append(label).append('=').append(value));
        return key.append('}').toString();
    }
}
