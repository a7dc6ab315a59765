package io.hookline.processor.notify;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import io.hookline.runtime.text.Excerpt;
import io.hookline.schema.AlertEvent;
import io.hookline.schema.AlertStatus;

/** The default texts, the same for every channel: one line a person reads first, then one line per alert. */
public final class Messages {

    private Messages() {
    }

    /**
     * {@code FIRING critical failed: <summary>} for one alert; for a group, how many fire and resolve, the group's
     * labels and the most severe alert: {@code FIRING 3 alerts, 1 resolved [host=nas-1]: critical failed: ... (+3 more)}.
     */
    public static String headline(Notification notification) {
        String test = notification.test() ? "[TEST] " : "";
        if (!notification.grouped()) {
            return test + describe(notification.lead());
        }
        long firing = notification.firingCount();
        long resolved = notification.alerts().size() - firing;
        String counts = firing > 0
                ? "FIRING " + plural(firing, "alert") + (resolved > 0 ? ", " + resolved + " resolved" : "")
                : "RESOLVED " + plural(resolved, "alert");
        String labels = notification.groupLabels().isEmpty() ? "" : notification.groupLabels().entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", ", " [", "]"));
        int more = notification.alerts().size() - 1;
        AlertEvent lead = notification.lead();
        return test + counts + labels + ": " + severityAndCondition(lead) + ": " + lead.getSummary()
                + (more > 0 ? " (+" + more + " more)" : "");
    }

    /** One line per alert, in the notification's order: {@code FIRING critical failed: <summary>}. */
    public static List<String> lines(Notification notification) {
        return notification.alerts().stream().map(Messages::describe).toList();
    }

    public static String describe(AlertEvent alert) {
        return (alert.getStatus() == AlertStatus.RESOLVED ? "RESOLVED " : "FIRING ") + severityAndCondition(alert) + ": "
                + alert.getSummary();
    }

    /**
     * Cuts a text to {@code limit} characters, ending with {@code more} so the reader knows where the rest is (or
     * with "..." alone when {@code more} would leave fewer than 40 characters of the text).
     */
    public static String cut(String text, int limit, String more) {
        if (text.length() <= limit) {
            return text;
        }
        return Excerpt.of(text, limit, limit - more.length() >= 40 ? more : "...");
    }

    /**
     * The text on one line: every control character (a newline in an error line, a tab, an escape) becomes a space,
     * so that hook text can never start a header of its own in a mail or an HTTP request.
     */
    public static String oneLine(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder line = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            line.append(Character.isISOControl(c) || c == '\u2028' || c == '\u2029' ? ' ' : c);
        }
        return line.toString();
    }

    private static String severityAndCondition(AlertEvent alert) {
        return alert.getSeverity().name().toLowerCase(Locale.ROOT) + " "
                + alert.getCondition().name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }

    private static String plural(long count, String noun) {
        return count + " " + noun + (count == 1 ? "" : "s");
    }
}
