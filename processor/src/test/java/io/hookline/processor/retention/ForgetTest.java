package io.hookline.processor.retention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * Golden cases of our own for restic's forget and borg's prune, worked out by hand from their documentation and
 * their published algorithms: what each keeps, restore point by restore point, and restic's reason texts.
 */
class ForgetTest {

    static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");

    static Policy restic() {
        return new Policy(Policy.Style.RESTIC, 0, 0, 0, 0, 0, 0, null, null, null, null, null, null, List.of(), null);
    }

    static Policy with(Policy p, String key, Object value) {
        int last = p.last(), hourly = p.hourly(), daily = p.daily(), weekly = p.weekly(), monthly = p.monthly(),
                yearly = p.yearly();
        SpanDuration within = p.within(), wh = p.withinHourly(), wd = p.withinDaily(), ww = p.withinWeekly(),
                wm = p.withinMonthly(), wy = p.withinYearly();
        List<List<String>> tags = p.tags();
        ZoneId zone = p.zone();
        Policy.Style style = p.style();
        switch (key) {
            case "last" -> last = (Integer) value;
            case "hourly" -> hourly = (Integer) value;
            case "daily" -> daily = (Integer) value;
            case "weekly" -> weekly = (Integer) value;
            case "monthly" -> monthly = (Integer) value;
            case "yearly" -> yearly = (Integer) value;
            case "within" -> within = SpanDuration.parse((String) value);
            case "within-hourly" -> wh = SpanDuration.parse((String) value);
            case "within-daily" -> wd = SpanDuration.parse((String) value);
            case "tags" -> {
                @SuppressWarnings("unchecked")
                List<List<String>> given = (List<List<String>>) value;
                tags = given;
            }
            case "zone" -> zone = ZoneId.of((String) value);
            case "style" -> style = (Policy.Style) value;
            default -> throw new IllegalArgumentException(key);
        }
        return new Policy(style, last, hourly, daily, weekly, monthly, yearly, within, wh, wd, ww, wm, wy, tags, zone);
    }

    static Point at(String id, String time, String... tags) {
        return new Point(id, Instant.parse(time), ZoneOffset.UTC, List.of(tags));
    }

    /** The kept ids with their reasons, newest first. */
    static Map<String, List<String>> kept(List<Verdict> verdicts) {
        Map<String, List<String>> kept = new LinkedHashMap<>();
        verdicts.stream().filter(Verdict::keep).forEach(v -> kept.put(v.id(), v.reasons()));
        return kept;
    }

    @Test
    void theDocumentationsTwelveSundaysWithKeepDaily4KeepTheLastFour() {
        List<Point> points = new ArrayList<>();
        LocalDate sunday = LocalDate.of(2019, 9, 1);
        for (int i = 0; i < 12; i++) {
            points.add(at(sunday.plusWeeks(i).toString(), sunday.plusWeeks(i) + "T11:00:00Z"));
        }
        List<Verdict> verdicts = Forget.restic(with(restic(), "daily", 4), points, NOW);
        assertEquals(Map.of("2019-11-17", List.of("daily snapshot"), "2019-11-10", List.of("daily snapshot"),
                "2019-11-03", List.of("daily snapshot"), "2019-10-27", List.of("daily snapshot")), kept(verdicts));
        assertEquals("2019-11-17", verdicts.get(0).id(), "newest first");
        assertEquals(12, verdicts.size());
    }

    @Test
    void countsLeftOverKeepTheOldestPointAsRestic017Does() {
        List<Point> points = new ArrayList<>();
        for (LocalDate day = LocalDate.of(2026, 1, 1); !day.isAfter(LocalDate.of(2026, 2, 28)); day = day.plusDays(1)) {
            points.add(at(day.toString(), day + "T02:00:00Z"));
        }
        assertEquals(Map.of("2026-02-28", List.of("monthly snapshot"), "2026-01-31", List.of("monthly snapshot"),
                "2026-01-01", List.of("oldest monthly snapshot")),
                kept(Forget.restic(with(restic(), "monthly", 12), points, NOW)));
        // Two on one day and counts left: the older is the oldest of the list.
        List<Point> two = List.of(at("late", "2026-03-01T20:00:00Z"), at("early", "2026-03-01T08:00:00Z"));
        assertEquals(Map.of("late", List.of("daily snapshot"), "early", List.of("oldest daily snapshot")),
                kept(Forget.restic(with(restic(), "daily", 5), two, NOW)));
        // No count left: the oldest goes.
        assertEquals(List.of("late"), List.copyOf(kept(Forget.restic(with(restic(), "daily", 1), two, NOW)).keySet()));
    }

    @Test
    void keepLastAndDailyGiveBothReasonsAndUnlimitedKeepsEveryPeriod() {
        List<Point> points = List.of(at("d3b", "2026-05-03T20:00:00Z"), at("d3a", "2026-05-03T08:00:00Z"),
                at("d2b", "2026-05-02T20:00:00Z"), at("d2a", "2026-05-02T08:00:00Z"), at("d1", "2026-05-01T08:00:00Z"));
        Policy policy = with(with(restic(), "last", 2), "daily", Policy.UNLIMITED);
        Map<String, List<String>> expected = new LinkedHashMap<>();
        expected.put("d3b", List.of("last snapshot", "daily snapshot"));
        expected.put("d3a", List.of("last snapshot"));
        expected.put("d2b", List.of("daily snapshot"));
        expected.put("d1", List.of("daily snapshot"));
        assertEquals(expected, kept(Forget.restic(policy, points, NOW)));
    }

    @Test
    void leapDaysAndMonthEndsFallInTheirMonths() {
        List<Point> points = List.of(at("mar1", "2024-03-01T01:00:00Z"), at("feb29", "2024-02-29T23:00:00Z"),
                at("feb28", "2024-02-28T23:00:00Z"), at("jan31", "2024-01-31T23:59:59Z"));
        assertEquals(List.of("mar1", "feb29"),
                List.copyOf(kept(Forget.restic(with(restic(), "monthly", 2), points, NOW)).keySet()));
    }

    @Test
    void withinIsCountedBackFromTheNewestTheWayGoCountsMonths() {
        ZonedDateTime march31 = ZonedDateTime.parse("2024-03-31T10:00:00Z");
        // Go's AddDate: 31 February 2024 is 2 March; Java's minusMonths would say 29 February.
        assertEquals(ZonedDateTime.parse("2024-03-02T10:00:00Z"), SpanDuration.parse("1m").before(march31));
        assertEquals(ZonedDateTime.parse("2023-03-03T10:00:00Z"),
                SpanDuration.parse("1m").before(ZonedDateTime.parse("2023-03-31T10:00:00Z")));
        assertEquals(ZonedDateTime.parse("2021-10-24T07:00:00Z"), SpanDuration.parse("2y5m7d3h").before(march31));
        assertEquals("2y5m7d3h", SpanDuration.parse("2y5m7d3h").toString());
        assertEquals("2d", SpanDuration.parse("2d").toString());

        List<Point> points = List.of(at("newest", "2026-01-10T00:00:00Z"), at("in", "2026-01-08T00:00:01Z"),
                at("edge", "2026-01-08T00:00:00Z"), at("old", "2026-01-01T00:00:00Z"));
        assertEquals(Map.of("newest", List.of("within 2d"), "in", List.of("within 2d")),
                kept(Forget.restic(with(restic(), "within", "2d"), points, NOW)), "strictly after newest minus 2 days");
    }

    @Test
    void withinDailyKeepsTheNewestOfEachDayInsideItsWindow() {
        List<Point> points = new ArrayList<>();
        for (int day = 10; day >= 1; day--) {
            points.add(at(day + "pm", String.format("2026-04-%02dT18:00:00Z", day)));
            points.add(at(day + "am", String.format("2026-04-%02dT06:00:00Z", day)));
        }
        Map<String, List<String>> kept = kept(Forget.restic(with(restic(), "within-daily", "7d"), points, NOW));
        assertEquals(List.of("10pm", "9pm", "8pm", "7pm", "6pm", "5pm", "4pm"), List.copyOf(kept.keySet()));
        assertEquals(List.of("daily within 7d"), kept.get("4pm"));
    }

    @Test
    void isoWeek53BelongsToTheYearItStartedIn() {
        List<Point> points = List.of(at("mon", "2021-01-04T12:00:00Z"), at("sun", "2021-01-03T12:00:00Z"),
                at("fri", "2021-01-01T12:00:00Z"), at("thu", "2020-12-31T12:00:00Z"));
        assertEquals(List.of("mon", "sun"),
                List.copyOf(kept(Forget.restic(with(restic(), "weekly", 2), points, NOW)).keySet()),
                "2021-01-03 closes ISO week 53 of 2020, which began on Monday 28 December");
        assertEquals(List.of("mon", "thu"),
                List.copyOf(kept(Forget.restic(with(restic(), "yearly", 5), points, NOW)).keySet()));
    }

    @Test
    void aDstChangeInThePolicysZoneMakesTwoHoursOneLocalHour() {
        // 2026-10-25 in Berlin: 02:30 summer time (00:30Z), then 02:30 winter time (01:30Z).
        List<Point> points = List.of(at("winter", "2026-10-25T01:30:00Z"), at("summer", "2026-10-25T00:30:00Z"),
                at("evening", "2026-10-24T20:00:00Z"));
        Policy berlin = with(with(restic(), "hourly", 10), "zone", "Europe/Berlin");
        assertEquals(List.of("winter", "evening"), List.copyOf(kept(Forget.restic(berlin, points, NOW)).keySet()));
        assertEquals(List.of("winter", "summer", "evening"),
                List.copyOf(kept(Forget.restic(with(restic(), "hourly", 10), points, NOW)).keySet()),
                "in UTC they are two hours");
    }

    @Test
    void tagsKeepWithoutCountingAndTheEmptyTagMeansUntagged() {
        List<Point> points = List.of(at("both", "2026-02-03T00:00:00Z", "foo", "bar"),
                at("foo", "2026-02-02T00:00:00Z", "foo"), at("none", "2026-02-01T00:00:00Z"));
        Policy policy = with(restic(), "tags", List.of(List.of("foo", "bar"), List.of("")));
        assertEquals(Map.of("both", List.of("has tags [foo, bar]"), "none", List.of("has tags []")),
                kept(Forget.restic(policy, points, NOW)));
    }

    @Test
    void aPointInTheFutureIsNeverTheNewestAndIsKeptByWithin() {
        Instant now = Instant.parse("2026-06-01T00:00:00Z");
        List<Point> points = List.of(at("future", "2026-07-01T12:00:00Z"), at("yesterday", "2026-05-31T12:00:00Z"),
                at("before", "2026-05-30T12:00:00Z"));
        assertEquals(Map.of("future", List.of("within 1d"), "yesterday", List.of("within 1d")),
                kept(Forget.restic(with(restic(), "within", "1d"), points, now)));
    }

    @Test
    void borgSkipsPeriodsAnEarlierRuleKeptWhereResticCountsThem() {
        List<Point> points = new ArrayList<>();
        for (LocalDate day = LocalDate.of(2026, 6, 21); !day.isBefore(LocalDate.of(2026, 6, 1)); day = day.minusDays(1)) {
            points.add(at(day.toString(), day + "T03:00:00Z"));
        }
        Policy policy = with(with(restic(), "daily", 2), "weekly", 2);
        assertEquals(List.of("2026-06-21", "2026-06-20", "2026-06-14"),
                List.copyOf(kept(Forget.restic(policy, points, NOW)).keySet()));
        Map<String, List<String>> borg = kept(Forget.borg(with(policy, "style", Policy.Style.BORG), points, NOW));
        assertEquals(List.of("2026-06-21", "2026-06-20", "2026-06-14", "2026-06-07"), List.copyOf(borg.keySet()));
        assertEquals(List.of("weekly snapshot"), borg.get("2026-06-07"));
        assertEquals(List.of("daily snapshot"), borg.get("2026-06-21"), "one rule per point in borg");
    }

    @Test
    void borgKeepsTheOldestWhenARuleHasCountsLeft() {
        List<Point> points = new ArrayList<>();
        for (LocalDate day = LocalDate.of(2026, 2, 28); !day.isBefore(LocalDate.of(2026, 1, 1)); day = day.minusDays(1)) {
            points.add(at(day.toString(), day + "T03:00:00Z"));
        }
        Policy borg = with(with(restic(), "monthly", 5), "style", Policy.Style.BORG);
        assertEquals(Map.of("2026-02-28", List.of("monthly snapshot"), "2026-01-31", List.of("monthly snapshot"),
                "2026-01-01", List.of("oldest monthly snapshot")), kept(Forget.borg(borg, points, NOW)));
    }

    @Test
    void badDurationsAreRefusedWithTheirText() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SpanDuration.parse("2 days")).getMessage()
                .contains("'2 days' is not a duration like 2y5m7d3h"));
        assertThrows(IllegalArgumentException.class, () -> SpanDuration.parse("99999999999d"));
        assertThrows(IllegalArgumentException.class, () -> SpanDuration.parse("20000y"));
    }
}
