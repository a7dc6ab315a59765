package io.hookline.processor.retention;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import io.hookline.schema.RestorePoint;
import io.hookline.schema.RunOutcome;

/**
 * What a job's policy decides for its restore points, with the safety restic, borg and PBS do not give: only points
 * of runs that succeeded are counted (a month of failures never pushes a good one out), the newest
 * {@code keep-at-least} good points are never pruned, pinned points are kept, and a point dated in the future or far
 * from when it was reported is kept, left out of the policy (it would skew {@code within}) and flagged.
 */
public final class Retention {

    /** A point dated more than this after now is in the future. */
    public static final Duration FUTURE = Duration.ofMinutes(5);
    /** A point dated further than this from when it was reported is not trusted. */
    public static final Duration FAR_FROM_REPORT = Duration.ofDays(2);

    private Retention() {
    }

    /**
     * One restore point: keep or prune and why; for a pruned one, the reasons it would be kept for had it been
     * newer ({@code wouldKeep}); {@code flag}: why the point is not trusted, or null.
     */
    public record Entry(String id, Instant time, boolean keep, List<String> reasons, List<String> wouldKeep,
            String flag, boolean counted, boolean pinned, String location) {
    }

    /**
     * Newest first. {@code policy} null: no policy matches the job, and every point is kept; {@code keepAtLeast}: the
     * newest good points never pruned.
     */
    public static List<Entry> decide(Policy policy, int keepAtLeast, List<RestorePoint> points, Instant now) {
        List<RestorePoint> sorted = new ArrayList<>(points);
        sorted.sort(Comparator.comparing(RestorePoint::getCreatedAt).reversed());
        int n = sorted.size();
        String[] flags = new String[n];
        String[] uncounted = new String[n];
        int[] countedAt = new int[n];
        List<Point> counted = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            RestorePoint point = sorted.get(i);
            flags[i] = flag(point, now);
            uncounted[i] = flags[i] == null ? uncounted(point) : null;
            countedAt[i] = -1;
            if (flags[i] == null && uncounted[i] == null) {
                countedAt[i] = counted.size();
                counted.add(new Point(point.getId(), point.getCreatedAt(),
                        ZoneOffset.ofTotalSeconds(clamp(point.getUtcOffsetSeconds())), point.getTags()));
            }
        }
        // Counted points are already newest first: the verdicts come back in the same order.
        List<Verdict> verdicts = policy == null ? List.of() : Forget.apply(policy, counted, now);
        List<List<String>> wouldKeep = policy == null ? List.of() : wouldKeep(policy, counted, verdicts);
        int floor = policy == null ? 0 : keepAtLeast;
        List<Entry> entries = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            RestorePoint point = sorted.get(i);
            List<String> reasons;
            List<String> would = List.of();
            boolean keep;
            if (flags[i] != null) {
                reasons = List.of("not counted: " + flags[i] + "; never pruned automatically");
                keep = true;
            } else if (uncounted[i] != null) {
                reasons = List.of("not counted: " + uncounted[i]);
                keep = true;
            } else if (policy == null) {
                reasons = List.of("no retention policy matches this job");
                keep = true;
            } else {
                Verdict verdict = verdicts.get(countedAt[i]);
                reasons = verdict.reasons();
                keep = verdict.keep();
                if (!keep && countedAt[i] < floor) {
                    reasons = List.of("keep-at-least " + floor + ": one of the newest good restore points");
                    keep = true;
                }
                if (!keep) {
                    would = wouldKeep.get(countedAt[i]);
                }
            }
            if (point.getPinned()) {
                List<String> pinned = new ArrayList<>(reasons);
                pinned.add("pinned");
                reasons = pinned;
                keep = true;
                would = List.of();
            }
            entries.add(new Entry(point.getId(), point.getCreatedAt(), keep, reasons, would, flags[i],
                    countedAt[i] >= 0, point.getPinned(), point.getLocation()));
        }
        return entries;
    }

    /** Why a point's date is not trusted, or null. */
    public static String flag(RestorePoint point, Instant now) {
        if (point.getCreatedAt().isAfter(now.plus(FUTURE))) {
            return "dated in the future (" + point.getCreatedAt() + ")";
        }
        Instant reported = point.getReceivedAt();
        if (reported != null && Duration.between(point.getCreatedAt(), reported).abs().compareTo(FAR_FROM_REPORT) > 0) {
            long days = Duration.between(point.getCreatedAt(), reported).abs().toDays();
            return "dated " + days + " days " + (point.getCreatedAt().isBefore(reported) ? "before" : "after")
                    + " it was reported (" + point.getCreatedAt() + ", reported " + reported + ")";
        }
        return null;
    }

    /** Why a point does not count toward the policy (its run did not succeed), or null. */
    static String uncounted(RestorePoint point) {
        RunOutcome outcome = point.getRunOutcome();
        if (outcome == RunOutcome.SUCCEEDED) {
            return null;
        }
        if (outcome == null) {
            // Points folded before runs were recorded with them came from ended runs that did not fail.
            return point.getRunId() == null || point.getReceivedAt() == null ? null
                    : "its run (" + point.getRunId() + ") has not ended yet";
        }
        return "its run (" + point.getRunId() + ") ended " + outcome.name().toLowerCase(java.util.Locale.ROOT)
                + ": only restore points of runs that succeeded count";
    }

    /**
     * For each point the policy prunes (in the order of {@code counted}, newest first), the reasons it would be kept
     * for were it newer: it is the newest point of its period for a count rule that ran out, or it is older than a
     * within-window; for a kept point, nothing.
     */
    static List<List<String>> wouldKeep(Policy policy, List<Point> counted, List<Verdict> verdicts) {
        List<List<String>> result = new ArrayList<>(counted.size());
        int[] counts = {policy.hourly(), policy.daily(), policy.weekly(), policy.monthly(), policy.yearly()};
        long[] last = {-1, -1, -1, -1, -1};
        boolean within = policy.within() != null && !policy.within().isZero();
        for (int i = 0; i < counted.size(); i++) {
            Periods periods = Periods.of(counted.get(i), policy.zone());
            boolean pruned = !verdicts.get(i).keep();
            List<String> reasons = pruned ? new ArrayList<>(2) : List.of();
            if (pruned && policy.last() > 0) {
                reasons.add("last snapshot");
            }
            for (int b = 0; b < 5; b++) {
                long value = periods.get(b);
                if (value != last[b]) {
                    last[b] = value;
                    if (pruned && counts[b] > 0) {
                        reasons.add(Forget.PERIODS[b] + " snapshot");
                    }
                }
            }
            if (pruned && within) {
                reasons.add("within " + policy.within());
            }
            result.add(reasons);
        }
        return result;
    }

    private static int clamp(int offsetSeconds) {
        return Math.max(-18 * 3600, Math.min(18 * 3600, offsetSeconds));
    }
}
