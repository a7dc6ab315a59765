package io.hookline.processor.retention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.hookline.processor.rules.RetentionRule;
import io.hookline.processor.rules.Rules;
import io.hookline.schema.RestorePoint;
import io.hookline.schema.RunOutcome;

/** The safety Hookline adds to the policy: what counts, the floor, pins, and points whose date is not trusted. */
class RetentionTest {

    static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");

    static RetentionRule rule(String policy) throws Exception {
        return Rules.parseRetentionPolicy(policy);
    }

    static RestorePoint point(String id, Instant at, RunOutcome outcome) {
        return RestorePoint.newBuilder().setId(id).setCreatedAt(at).setUtcOffsetSeconds(0).setHost(null)
                .setLocation("/backups/" + id).setSizeBytes(null).setTags(List.of()).setReceivedAt(at.plusSeconds(60))
                .setRunId("run-" + id).setRunOutcome(outcome).setPinned(false).build();
    }

    static List<Retention.Entry> decide(String policy, List<RestorePoint> points, Instant now) throws Exception {
        RetentionRule rule = rule(policy);
        return Retention.decide(rule.policy(), rule.keepAtLeast(), points, now);
    }

    static Map<String, Retention.Entry> byId(List<Retention.Entry> entries) {
        return entries.stream().collect(Collectors.toMap(Retention.Entry::id, e -> e));
    }

    @Test
    void aMonthOfFailedRunsNeverPushesTheLastGoodPointOut() throws Exception {
        List<RestorePoint> points = new ArrayList<>();
        points.add(point("good", NOW.minus(Duration.ofDays(40)), RunOutcome.SUCCEEDED));
        for (int day = 30; day >= 1; day--) {
            points.add(point("partial-" + day, NOW.minus(Duration.ofDays(day)), RunOutcome.FAILED));
        }
        Map<String, Retention.Entry> decided = byId(decide("{\"keep-within\": \"7d\"}", points, NOW));

        Retention.Entry good = decided.get("good");
        assertTrue(good.keep(), "the only good point stays");
        assertTrue(good.reasons().contains("within 7d"), good.reasons().toString());
        Retention.Entry failed = decided.get("partial-3");
        assertTrue(failed.keep());
        assertFalse(failed.counted());
        assertEquals(List.of("not counted: its run (run-partial-3) ended failed: only restore points of runs that "
                + "succeeded count"), failed.reasons());
    }

    @Test
    void theFloorKeepsTheNewestGoodPointsWhateverThePolicySays() throws Exception {
        List<RestorePoint> points = List.of(point("new", NOW.minus(Duration.ofDays(1)), RunOutcome.SUCCEEDED),
                point("older", NOW.minus(Duration.ofDays(2)), RunOutcome.SUCCEEDED),
                point("oldest", NOW.minus(Duration.ofDays(3)), RunOutcome.SUCCEEDED));
        // keep-tag alone keeps nothing here: only the floor of two keeps anything.
        Map<String, Retention.Entry> decided = byId(decide(
                "{\"keep-tag\": [[\"archive\"]], \"keep-at-least\": 2}", points, NOW));
        assertTrue(decided.get("new").keep());
        assertEquals(List.of("keep-at-least 2: one of the newest good restore points"), decided.get("older").reasons());
        assertFalse(decided.get("oldest").keep());
    }

    @Test
    void aPointDatedInTheFutureOrFarFromItsReportIsFlaggedKeptAndLeftOutOfWithin() throws Exception {
        RestorePoint future = point("future", NOW.plus(Duration.ofDays(365)), RunOutcome.SUCCEEDED);
        RestorePoint skewed = RestorePoint.newBuilder(point("skewed", Instant.parse("2009-01-01T00:00:00Z"),
                RunOutcome.SUCCEEDED)).setReceivedAt(NOW.minus(Duration.ofHours(1))).build();
        RestorePoint today = point("today", NOW.minus(Duration.ofHours(2)), RunOutcome.SUCCEEDED);
        RestorePoint lastWeek = point("last-week", NOW.minus(Duration.ofDays(7)), RunOutcome.SUCCEEDED);
        List<Retention.Entry> entries = decide("{\"keep-within\": \"1d\"}",
                List.of(future, skewed, today, lastWeek), NOW);
        Map<String, Retention.Entry> decided = byId(entries);

        assertTrue(decided.get("future").keep());
        assertTrue(decided.get("future").flag().startsWith("dated in the future"), decided.get("future").flag());
        assertTrue(decided.get("skewed").keep());
        assertTrue(decided.get("skewed").flag().startsWith("dated 6543 days before it was reported"),
                decided.get("skewed").flag());
        // within is measured from today's point, not from the one dated a year ahead.
        assertEquals(List.of("within 1d"), decided.get("today").reasons());
        assertFalse(decided.get("last-week").keep());
        assertEquals(List.of("future", "today", "last-week", "skewed"), entries.stream().map(Retention.Entry::id).toList());
    }

    @Test
    void aPinnedPointIsKeptAndAPrunedOneSaysWhatWouldKeepIt() throws Exception {
        RestorePoint pinned = RestorePoint.newBuilder(point("pinned", NOW.minus(Duration.ofDays(90)),
                RunOutcome.SUCCEEDED)).setPinned(true).build();
        List<RestorePoint> points = List.of(point("d1", NOW.minus(Duration.ofDays(1)), RunOutcome.SUCCEEDED),
                point("d2", NOW.minus(Duration.ofDays(2)), RunOutcome.SUCCEEDED),
                point("d3", NOW.minus(Duration.ofDays(3)), RunOutcome.SUCCEEDED), pinned);
        Map<String, Retention.Entry> decided = byId(decide("{\"keep-daily\": 2}", points, NOW));
        assertEquals(List.of("pinned"), decided.get("pinned").reasons());
        assertFalse(decided.get("d3").keep());
        assertEquals(List.of("daily snapshot"), decided.get("d3").wouldKeep());
    }

    @Test
    void withoutAPolicyEveryPointIsKept() {
        List<Retention.Entry> entries = Retention.decide(null, 0, List.of(point("a", NOW, RunOutcome.SUCCEEDED)), NOW);
        assertEquals(List.of("no retention policy matches this job"), entries.get(0).reasons());
        assertTrue(entries.get(0).keep());
    }
}
