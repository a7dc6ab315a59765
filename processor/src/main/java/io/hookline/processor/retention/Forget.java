package io.hookline.processor.retention;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Which restore points a policy keeps, and why, as pure functions over a list: {@link #restic} decides exactly as
 * {@code restic forget} does, {@link #borg} as {@code borg prune} does. Newest first in, newest first out; points with
 * the same time keep the order they were given in.
 */
public final class Forget {

    static final String[] PERIODS = {"hourly", "daily", "weekly", "monthly", "yearly"};
    private static final ZonedDateTime GO_ZERO_TIME = ZonedDateTime.of(1, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);

    private Forget() {
    }

    public static List<Verdict> apply(Policy policy, List<Point> points, Instant now) {
        return policy.style() == Policy.Style.BORG ? borg(policy, points, now) : restic(policy, points, now);
    }

    /**
     * restic's forget: tags and {@code within} keep without counting; each of last, hourly ... yearly keeps the
     * newest point of each new period while it has counts left, and the oldest point too when counts are left over
     * ({@code oldest monthly snapshot}); each within-period rule keeps the newest point of each period inside its
     * window. Windows are measured from the newest point that is not in the future.
     */
    public static List<Verdict> restic(Policy policy, List<Point> points, Instant now) {
        List<Point> list = newestFirst(points);
        int n = list.size();
        List<Verdict> verdicts = new ArrayList<>(n);
        if (n == 0) {
            return verdicts;
        }
        ZonedDateTime latest = GO_ZERO_TIME;
        for (Point point : list) {
            if (point.time().isBefore(now)) {
                latest = point.time().atZone(policy.zone() != null ? policy.zone() : point.offset());
                break;
            }
        }
        Instant within = start(policy.within(), latest);
        SpanDuration[] spans = {policy.withinHourly(), policy.withinDaily(), policy.withinWeekly(),
                policy.withinMonthly(), policy.withinYearly()};
        Instant[] starts = new Instant[5];
        for (int i = 0; i < 5; i++) {
            starts[i] = start(spans[i], latest);
        }
        int[] counts = {policy.last(), policy.hourly(), policy.daily(), policy.weekly(), policy.monthly(), policy.yearly()};
        long[] lastOf = {-1, -1, -1, -1, -1, -1};
        long[] lastWithin = {-1, -1, -1, -1, -1};
        List<String> tagNames = policy.tags().stream().map(Forget::tagList).toList();
        for (int nr = 0; nr < n; nr++) {
            Point cur = list.get(nr);
            boolean oldest = nr == n - 1;
            List<String> reasons = new ArrayList<>(2);
            for (int t = 0; t < policy.tags().size(); t++) {
                if (cur.hasTags(policy.tags().get(t))) {
                    reasons.add("has tags " + tagNames.get(t));
                }
            }
            if (within != null && cur.time().isAfter(within)) {
                reasons.add("within " + policy.within());
            }
            Periods periods = Periods.of(cur, policy.zone());
            for (int b = 0; b < 6; b++) {
                if (counts[b] > 0 || counts[b] == Policy.UNLIMITED) {
                    long value = b == 0 ? nr : periods.get(b - 1);
                    if (value != lastOf[b] || oldest) {
                        String reason = (b == 0 ? "last" : PERIODS[b - 1]) + " snapshot";
                        reasons.add(value == lastOf[b] ? "oldest " + reason : reason);
                        lastOf[b] = value;
                        if (counts[b] > 0) {
                            counts[b]--;
                        }
                    }
                }
            }
            for (int b = 0; b < 5; b++) {
                if (starts[b] != null && cur.time().isAfter(starts[b])) {
                    long value = periods.get(b);
                    if (value != lastWithin[b] || oldest) {
                        String reason = PERIODS[b] + " within " + spans[b];
                        reasons.add(value == lastWithin[b] ? "oldest " + reason : reason);
                        lastWithin[b] = value;
                    }
                }
            }
            verdicts.add(new Verdict(cur.id(), cur.time(), !reasons.isEmpty(), reasons));
        }
        return verdicts;
    }

    /**
     * borg's prune (and Proxmox Backup Server's): {@code within} (from now) first, then last, hourly, daily, weekly,
     * monthly, yearly in that order, each keeping the newest point of each period until its count is reached, but
     * a period whose newest point an earlier rule already kept is skipped and not counted; a rule with counts left
     * over keeps the oldest point too. Each point gives the rule that kept it. Tags keep without counting.
     */
    public static List<Verdict> borg(Policy policy, List<Point> points, Instant now) {
        List<Point> list = newestFirst(points);
        int n = list.size();
        List<List<String>> reasons = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            reasons.add(new ArrayList<>(1));
        }
        boolean[] kept = new boolean[n];
        for (int i = 0; i < n; i++) {
            for (List<String> tags : policy.tags()) {
                if (list.get(i).hasTags(tags)) {
                    reasons.get(i).add("has tags " + tagList(tags));
                    kept[i] = true;
                }
            }
        }
        Instant within = start(policy.within(), now.atZone(policy.zone() != null ? policy.zone() : ZoneOffset.UTC));
        if (within != null) {
            for (int i = 0; i < n; i++) {
                if (list.get(i).time().isAfter(within)) {
                    reasons.get(i).add("within " + policy.within());
                    kept[i] = true;
                }
            }
        }
        Periods[] periods = new Periods[n];
        for (int i = 0; i < n; i++) {
            periods[i] = Periods.of(list.get(i), policy.zone());
        }
        int[] counts = {policy.last(), policy.hourly(), policy.daily(), policy.weekly(), policy.monthly(), policy.yearly()};
        for (int b = 0; b < 6; b++) {
            int wanted = counts[b];
            if (wanted == 0) {
                continue;
            }
            String reason = (b == 0 ? "last" : PERIODS[b - 1]) + " snapshot";
            long last = Long.MIN_VALUE;
            int keptHere = 0;
            boolean full = false;
            for (int i = 0; i < n && !full; i++) {
                long period = b == 0 ? i : periods[i].get(b - 1);
                if (period != last) {
                    last = period;
                    if (!kept[i]) {
                        kept[i] = true;
                        reasons.get(i).add(reason);
                        keptHere++;
                        full = wanted != Policy.UNLIMITED && keptHere == wanted;
                    }
                }
            }
            if (!full && n > 0 && !kept[n - 1]) {
                kept[n - 1] = true;
                reasons.get(n - 1).add("oldest " + reason);
            }
        }
        List<Verdict> verdicts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            verdicts.add(new Verdict(list.get(i).id(), list.get(i).time(), kept[i], reasons.get(i)));
        }
        return verdicts;
    }

    private static List<Point> newestFirst(List<Point> points) {
        List<Point> list = new ArrayList<>(points);
        list.sort(Comparator.comparing(Point::time).reversed());
        return list;
    }

    private static Instant start(SpanDuration span, ZonedDateTime from) {
        return span == null || span.isZero() ? null : span.before(from).toInstant();
    }

    /** As restic prints a tag list: {@code [foo, bar]}. */
    static String tagList(List<String> tags) {
        return "[" + String.join(", ", tags) + "]";
    }
}
