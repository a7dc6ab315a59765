package io.hookline.bench;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import io.hookline.processor.retention.Forget;
import io.hookline.processor.retention.Point;
import io.hookline.processor.retention.Policy;
import io.hookline.processor.retention.Retention;
import io.hookline.processor.retention.SpanDuration;
import io.hookline.processor.retention.Verdict;
import io.hookline.processor.rules.RetentionRule;
import io.hookline.processor.rules.Rules;
import io.hookline.schema.RestorePoint;
import io.hookline.schema.RunOutcome;

/**
 * How long a retention decision takes over {@code --points} restore points (default 1,000,000, one an hour for
 * about 114 years): restic's and borg's algorithms alone, and Hookline's whole decision (what counts, floor, pins,
 * untrusted dates) over the job state's records. Prints the best and the median of {@code --runs} runs.
 */
public final class RetentionDecisions {

    static final String USAGE = "bench/retention [--points 1000000] [--runs 7]";

    public static void main(String[] args) throws Exception {
        BenchOptions.run(USAGE, args, RetentionDecisions::bench);
    }

    static void bench(BenchOptions options) throws Exception {
        int count = options.count("points", 1_000_000, 1, 10_000_000);
        int runs = options.count("runs", 7, 1, 1000);
        Random random = new Random(42);
        Instant newest = Instant.parse("2026-12-01T00:00:00Z");
        List<Point> points = new ArrayList<>(count);
        List<RestorePoint> records = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Instant at = newest.minus(Duration.ofHours(i)).plusSeconds(random.nextInt(1800));
            List<String> tags = i % 500 == 0 ? List.of("archive") : List.of();
            points.add(new Point("p" + i, at, ZoneOffset.ofHours(1), tags));
            records.add(RestorePoint.newBuilder().setId("p" + i).setCreatedAt(at).setUtcOffsetSeconds(3600)
                    .setHost(null).setLocation(null).setSizeBytes(null).setTags(tags).setReceivedAt(at.plusSeconds(30))
                    .setRunId("r" + i).setRunOutcome(i % 50 == 7 ? RunOutcome.FAILED : RunOutcome.SUCCEEDED)
                    .setPinned(i == 12345).build());
        }
        Policy restic = new Policy(Policy.Style.RESTIC, 10, 48, 14, 8, 24, Policy.UNLIMITED, SpanDuration.parse("30d"),
                null, SpanDuration.parse("90d"), null, null, null, List.of(List.of("archive")), null);
        Policy borg = new Policy(Policy.Style.BORG, 10, 48, 14, 8, 24, Policy.UNLIMITED, SpanDuration.parse("30d"),
                null, null, null, null, null, List.of(List.of("archive")), null);
        RetentionRule rule = Rules.parseRetentionPolicy("{\"keep-last\": 10, \"keep-hourly\": 48, \"keep-daily\": 14,"
                + " \"keep-weekly\": 8, \"keep-monthly\": 24, \"keep-yearly\": \"unlimited\", \"keep-within\": \"30d\","
                + " \"keep-within-daily\": \"90d\", \"keep-tag\": [[\"archive\"]], \"keep-at-least\": 3}");
        Instant now = newest.plus(Duration.ofHours(1));

        System.out.printf(Locale.ROOT, "%d restore points, one an hour; policy keep-last 10, hourly 48, daily 14, "
                + "weekly 8, monthly 24, yearly unlimited, within 30d, within-daily 90d, tag archive%n", count);
        measure("restic forget (the algorithm alone)", runs, () -> kept(Forget.restic(restic, points, now)));
        measure("borg prune (the algorithm alone)", runs, () -> kept(Forget.borg(borg, points, now)));
        measure("Hookline's decision over the job's records", runs,
                () -> Retention.decide(rule.policy(), rule.keepAtLeast(), records, now).stream().filter(Retention.Entry::keep).count());
    }

    interface Decision {
        long kept();
    }

    static long kept(List<Verdict> verdicts) {
        return verdicts.stream().filter(Verdict::keep).count();
    }

    static void measure(String what, int runs, Decision decision) {
        long[] millis = new long[runs];
        long kept = 0;
        for (int i = 0; i < runs; i++) {
            long started = System.nanoTime();
            kept = decision.kept();
            millis[i] = (System.nanoTime() - started) / 1_000_000;
        }
        long[] sorted = millis.clone();
        Arrays.sort(sorted);
        System.out.printf(Locale.ROOT, "  %-45s best %5d ms, median %5d ms over %d runs (%d kept)%n", what, sorted[0],
                sorted[runs / 2], runs, kept);
    }
}
