package io.hookline.processor.retention;

import java.time.ZoneId;
import java.util.List;

/**
 * What a retention policy keeps, in restic's terms: the newest {@code last}, and one per hour, day, ISO week,
 * month and year for as many of each as {@code hourly} ... {@code yearly} say ({@link #UNLIMITED} for all, 0 for
 * none); everything within {@code within} of the newest, and one per period within {@code withinHourly} ...;
 * everything that has every tag of one of {@code tags}. {@code zone}: the periods' time zone, or null for each
 * restore point's own clock (restic's way).
 */
public record Policy(Style style, int last, int hourly, int daily, int weekly, int monthly, int yearly,
        SpanDuration within, SpanDuration withinHourly, SpanDuration withinDaily, SpanDuration withinWeekly,
        SpanDuration withinMonthly, SpanDuration withinYearly, List<List<String>> tags, ZoneId zone) {

    public static final int UNLIMITED = -1;

    /** restic: each rule counts on its own. borg: a later rule skips periods an earlier rule kept (borg, PBS). */
    public enum Style {
        RESTIC, BORG
    }

    public Policy {
        tags = tags.stream().map(List::copyOf).toList();
    }

    /** Keeps nothing: refused, as restic refuses it (it would remove every restore point). */
    public boolean empty() {
        return last == 0 && hourly == 0 && daily == 0 && weekly == 0 && monthly == 0 && yearly == 0 && zero(within)
                && zero(withinHourly) && zero(withinDaily) && zero(withinWeekly) && zero(withinMonthly)
                && zero(withinYearly) && tags.isEmpty();
    }

    private static boolean zero(SpanDuration span) {
        return span == null || span.isZero();
    }
}
