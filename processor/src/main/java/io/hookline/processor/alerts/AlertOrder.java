package io.hookline.processor.alerts;

import java.time.Instant;
import java.util.Comparator;

import com.fasterxml.jackson.databind.JsonNode;

import io.hookline.schema.AlertEvent;
import io.hookline.schema.AlertStatus;

/**
 * Where an alert stands in {@code /api/alerts}: firing (and repeated) ones first, then resolved ones; within each the
 * latest change first; alerts changed in the same millisecond by key. The order is total, so a page's last alert is
 * a cursor the next page starts after: {@code f:<updatedAt in epoch ms>:<alert key>} ({@code r:} for a resolved one).
 */
public record AlertOrder(boolean resolved, long updatedAt, String alertKey) implements Comparable<AlertOrder> {

    private static final Comparator<AlertOrder> ORDER = Comparator.comparing(AlertOrder::resolved)
            .thenComparing(AlertOrder::updatedAt, Comparator.reverseOrder())
            .thenComparing(AlertOrder::alertKey);

    public static AlertOrder of(AlertEvent alert) {
        return new AlertOrder(alert.getStatus() == AlertStatus.RESOLVED, alert.getUpdatedAt().toEpochMilli(),
                alert.getAlertKey());
    }

    /** An alert as the API listed it (another instance's answer). */
    public static AlertOrder of(JsonNode alert) {
        return new AlertOrder(alert.path("status").asText().equals("resolved"),
                Instant.parse(alert.path("updatedAt").asText()).toEpochMilli(), alert.path("alertKey").asText());
    }

    /** The cursor for {@code after}, or null with {@code problem} saying what is wrong with it. */
    public static AlertOrder parse(String cursor) {
        String[] parts = cursor.split(":", 3);
        if (parts.length == 3 && (parts[0].equals("f") || parts[0].equals("r")) && !parts[2].isEmpty()) {
            try {
                return new AlertOrder(parts[0].equals("r"), Long.parseLong(parts[1]), parts[2]);
            } catch (NumberFormatException e) {
                // said by the caller
            }
        }
        return null;
    }

    public String cursor() {
        return (resolved ? "r:" : "f:") + updatedAt + ":" + alertKey;
    }

    @Override
    public int compareTo(AlertOrder other) {
        return ORDER.compare(this, other);
    }
}
