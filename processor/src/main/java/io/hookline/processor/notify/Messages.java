package io.hookline.processor.notify;

import java.util.Locale;

import io.hookline.schema.AlertEvent;
import io.hookline.schema.AlertStatus;

/** The default texts: one line a person reads first, the same for every channel. */
public final class Messages {

    private Messages() {
    }

    public static String headline(Notification notification) {
        AlertEvent alert = notification.alert();
        String status = alert.getStatus() == AlertStatus.RESOLVED ? "RESOLVED" : "FIRING";
        return (notification.test() ? "[TEST] " : "") + status + " " + alert.getSeverity().name().toLowerCase(Locale.ROOT)
                + " " + alert.getCondition().name().toLowerCase(Locale.ROOT).replace('_', ' ') + ": " + alert.getSummary();
    }
}
