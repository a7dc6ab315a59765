package io.hookline.processor.alerts;

import static io.hookline.processor.Events.event;
import static io.hookline.processor.Events.failed;
import static io.hookline.processor.Events.succeeded;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.hookline.processor.rules.Rules;
import io.hookline.processor.streams.TopologyProducer;
import io.hookline.schema.AlertCondition;
import io.hookline.schema.AlertEvent;
import io.hookline.schema.AlertStatus;
import io.hookline.schema.BackupEvent;
import io.hookline.schema.EventType;
import io.hookline.schema.RunOutcome;
import io.hookline.schema.Severity;
import io.hookline.schema.cloudevents.CloudEventHeaders;
import io.hookline.schema.serde.AvroSerde;
import io.hookline.schema.topics.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** The alert conditions, derived in the topology from the events a job sends and from time passing. */
class AlertTopologyTest {

    static final Instant START = Instant.parse("2026-11-21T02:00:00Z");
    static final String JOB = "esxi-prod/esxi01/04";

    TopologyTestDriver driver;
    TestInputTopic<String, BackupEvent> events;
    TestOutputTopic<String, AlertEvent> alerts;

    final SimpleMeterRegistry metrics = new SimpleMeterRegistry();

    @BeforeEach
    void start() throws Exception {
        Rules rules = Rules.parse("""
                jobs:
                  - match: "esxi-prod/*"
                    schedule: {every: 24h, grace: 2h}
                    max-duration: 6h
                """);
        drive(TopologyProducer.build(TOPICS, () -> rules, Duration.ofSeconds(1), metrics));
    }

    static final Topics TOPICS = Topics.withDefaultPrefix();

    /** A new driver (the one before closed) on {@code topology}, its events' input and its alerts' output. */
    void drive(Topology topology) {
        if (driver != null) {
            driver.close();
        }
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "alert-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(topology, props, START);
        events = driver.createInputTopic(TOPICS.events(), Serdes.String().serializer(), AvroSerde.of(BackupEvent.class));
        alerts = driver.createOutputTopic(TOPICS.alerts(), Serdes.String().deserializer(), AvroSerde.of(AlertEvent.class));
    }

    /** hookline_alerts_firing as Prometheus would read it. */
    double firing() {
        return metrics.get("hookline.alerts.firing").gauge().value();
    }

    @AfterEach
    void stop() {
        if (driver != null) {
            driver.close();
        }
    }

    /** The alerts alone on a new driver, a check every 250 ms reading at most {@code slice} jobs. */
    void restartWithSlice(java.util.function.Supplier<Rules> rules, int slice) {
        AlertReactor reactor = new AlertReactor(rules, Duration.ofMillis(250), Duration.ofMinutes(10),
                new SimpleMeterRegistry(), new FiringAlerts(), slice);
        drive(TopologyProducer.build(TOPICS, List.of(reactor), new SimpleMeterRegistry()));
    }

    void send(BackupEvent event) {
        events.pipeInput(event.getJobKey(), event, event.getReceivedAt());
    }

    @Test
    void aFailedRunFiresCriticalRepeatsOnTheNextFailureAndResolvesOnSuccess() {
        send(failed(JOB, "1", START, "VM1: snapshot failed"));
        send(failed(JOB, "2", START.plusSeconds(600), "VM1: snapshot failed again"));
        send(succeeded(JOB, "3", START.plusSeconds(1200), 1000));

        List<TestRecord<String, AlertEvent>> out = alerts.readRecordsToList();
        assertEquals(3, out.size(), out.toString());
        AlertEvent firing = out.get(0).value();
        assertEquals(JOB + "/failed", out.get(0).key());
        assertEquals(AlertStatus.FIRING, firing.getStatus());
        assertEquals(Severity.CRITICAL, firing.getSeverity());
        assertEquals(JOB + " failed at " + START + ": VM1: snapshot failed", firing.getSummary());
        assertEquals("io.hookline.alert.firing", CloudEventHeaders.header(out.get(0).headers(), "ce_type"));
        assertEquals(AlertStatus.REPEATED, out.get(1).value().getStatus());
        assertEquals(2, out.get(1).value().getEventIds().size());
        AlertEvent resolved = out.get(2).value();
        assertEquals(AlertStatus.RESOLVED, resolved.getStatus());
        assertEquals(START, resolved.getStartsAt());
        assertEquals(START.plusSeconds(1200), resolved.getEndsAt());
        assertEquals(2, resolved.getSequence());
    }

    @Test
    void aResolvedAlertStaysReadableForAWeekThenLeavesWhileAnOpenOneStays() {
        String other = "esxi-prod/esxi02/07";
        send(failed(JOB, "1", START, "x"));
        send(succeeded(JOB, "2", START.plusSeconds(600), 1000));
        send(failed(other, "1", START.plusSeconds(600), "x"));
        KeyValueStore<String, AlertEvent> store = driver.getKeyValueStore(AlertReactor.STORE);

        driver.advanceWallClockTime(Duration.ofDays(6));
        assertEquals(AlertStatus.RESOLVED, store.get(JOB + "/failed").getStatus(), "/api/alerts still shows it");
        driver.advanceWallClockTime(Duration.ofDays(1).plusHours(1));
        assertNull(store.get(JOB + "/failed"), "resolved more than a week ago");
        assertEquals(AlertStatus.FIRING, store.get(other + "/failed").getStatus(), "open alerts are never forgotten");
    }

    @Test
    void theFiringGaugeCountsOpenAlertsRepeatsIncludedUntilTheyResolveOrTheTaskLeaves() {
        String other = "esxi-prod/esxi02/07";
        assertEquals(0.0, firing());
        send(failed(JOB, "1", START, "x"));
        assertEquals(1.0, firing());
        send(failed(JOB, "2", START.plusSeconds(60), "x"));
        assertEquals(AlertStatus.REPEATED, alerts.readValuesToList().get(1).getStatus());
        assertEquals(1.0, firing(), "a repeated alert is still one open alert");
        send(failed(other, "1", START.plusSeconds(120), "x"));
        assertEquals(2.0, firing());
        send(succeeded(JOB, "3", START.plusSeconds(180), 1000));
        assertEquals(1.0, firing(), "resolved");

        driver.close();
        driver = null;
        assertEquals(0.0, firing(), "the task left this instance: its alerts are counted where it runs now");
    }

    @Test
    void threeFailuresInFiveRunsRaiseAFailureRateAlertThatOutlivesASingleSuccess() {
        send(failed(JOB, "1", START, "x"));
        send(succeeded(JOB, "2", START.plusSeconds(60), 1000));
        send(failed(JOB, "3", START.plusSeconds(120), "x"));
        send(failed(JOB, "4", START.plusSeconds(180), "x"));
        send(succeeded(JOB, "5", START.plusSeconds(240), 1000));

        List<AlertEvent> rate = alerts.readValuesToList().stream()
                .filter(a -> a.getCondition() == AlertCondition.FAILURE_RATE).toList();
        assertEquals(1, rate.size(), rate.toString());
        assertEquals(AlertStatus.FIRING, rate.get(0).getStatus());
        assertEquals(JOB + " failed 3 of its last 4 runs", rate.get(0).getSummary());
    }

    @Test
    void aStormOfDeadlinesIsLookedAtASliceAPerCheckAndEveryMissedAlertFires() throws Exception {
        // Jobs on one schedule, all missing it at the same moment (a site's outage): a check looks at no more than
        // its slice of them (DUE_PER_CHECK, 100 here), so that events are folded between checks; the next checks,
        // a check interval apart, take the rest.
        Rules rules = Rules.parse("""
                jobs:
                  - match: "esxi-prod/*"
                    schedule: {every: 24h, grace: 2h}
                """);
        restartWithSlice(() -> rules, 100);
        int jobs = 250;
        for (int i = 0; i < jobs; i++) {
            send(succeeded("esxi-prod/esxi" + (i % 50) + "/vm-" + i, "1", START, 1000));
        }
        assertTrue(alerts.isEmpty());

        driver.advanceWallClockTime(Duration.ofHours(26));
        java.util.Set<String> missed = new java.util.HashSet<>();
        List<Integer> perCheck = new ArrayList<>();
        for (int check = 0; check < 4; check++) {
            List<AlertEvent> fired = alerts.readValuesToList();
            fired.forEach(alert -> assertEquals(AlertCondition.MISSED, alert.getCondition(), alert.toString()));
            fired.forEach(alert -> missed.add(alert.getJobKey()));
            perCheck.add(fired.size());
            driver.advanceWallClockTime(Duration.ofMillis(250));
        }
        assertEquals(List.of(100, 100, 50, 0), perCheck);
        assertEquals(jobs, missed.size(), "every job's missed alert, once");
    }

    @Test
    void aMissedScheduleFiresWithinASecondOfTheDeadlineAsAWarningAndResolvesWithTheNextSuccess() {
        send(succeeded(JOB, "1", START, 1000));
        alerts.readRecordsToList();

        driver.advanceWallClockTime(Duration.ofHours(26).minusSeconds(2));
        assertTrue(alerts.isEmpty(), "not yet due");
        driver.advanceWallClockTime(Duration.ofSeconds(2));
        AlertEvent missed = alerts.readValue();
        assertEquals(AlertCondition.MISSED, missed.getCondition());
        assertEquals(Severity.WARNING, missed.getSeverity());
        assertTrue(missed.getSummary().contains("missed its schedule (every 1d + 2h grace)"), missed.getSummary());

        driver.advanceWallClockTime(Duration.ofMinutes(10));
        assertTrue(alerts.isEmpty(), "fired once, not every second");

        send(succeeded(JOB, "2", START.plus(Duration.ofHours(27)), 1000));
        assertEquals(AlertStatus.RESOLVED, alerts.readValue().getStatus());
    }

    @Test
    void aJobThatSucceedsAgainIsDueAgainFromThatSuccess() {
        send(succeeded(JOB, "1", START, 1000));
        driver.advanceWallClockTime(Duration.ofHours(27));
        send(succeeded(JOB, "2", START.plus(Duration.ofHours(27)), 1000));
        alerts.readRecordsToList();

        driver.advanceWallClockTime(Duration.ofHours(26).minusSeconds(2));
        assertTrue(alerts.isEmpty(), "the deadline moved with the success: not due before 27 h + 26 h");
        driver.advanceWallClockTime(Duration.ofSeconds(2));
        AlertEvent missed = alerts.readValue();
        assertEquals(AlertCondition.MISSED, missed.getCondition());
        assertEquals(AlertStatus.FIRING, missed.getStatus());
    }

    @Test
    void jobsFireAtTheirOwnDeadlinesInTheOrderTheyComeNotBefore() {
        int jobs = 300;
        for (int i = 0; i < jobs; i++) {
            // Successes a minute apart, sent in reverse: the index orders them by deadline, not by arrival.
            int minute = jobs - 1 - i;
            send(succeeded("esxi-prod/esxi01/job-" + minute, "s" + minute, START.plus(Duration.ofMinutes(minute)), 1000));
        }
        alerts.readRecordsToList();
        driver.advanceWallClockTime(Duration.ofHours(26).minusSeconds(1));
        assertTrue(alerts.isEmpty(), "no job is due before its own deadline");
        List<String> fired = new java.util.ArrayList<>();
        for (int minute = 0; minute < jobs; minute++) {
            driver.advanceWallClockTime(Duration.ofMinutes(1));
            List<AlertEvent> now = alerts.readValuesToList();
            assertEquals(1, now.size(), "minute " + minute + ": " + now);
            fired.add(now.get(0).getJobKey());
        }
        assertEquals("esxi-prod/esxi01/job-0", fired.get(0));
        assertEquals("esxi-prod/esxi01/job-" + (jobs - 1), fired.get(jobs - 1));
        assertEquals(jobs, new java.util.HashSet<>(fired).size(), "each job fired once");
    }

    @Test
    void aScheduleAddedByAReloadCoversAJobAlreadyOverdue() throws Exception {
        java.util.concurrent.atomic.AtomicReference<Rules> rules = new java.util.concurrent.atomic.AtomicReference<>(
                Rules.parse("jobs:\n  - match: \"esxi-prod/*\"\n"));
        drive(TopologyProducer.build(TOPICS, rules::get, Duration.ofSeconds(1)));

        send(succeeded(JOB, "1", START, 1000));
        driver.advanceWallClockTime(Duration.ofHours(30));
        assertTrue(alerts.isEmpty(), "no schedule, no deadline");

        rules.set(Rules.parse("jobs:\n  - match: \"esxi-prod/*\"\n    schedule: {every: 24h, grace: 2h}\n"));
        // Nothing was due: the reload is seen by the next look, within RULES_SEEN_WITHIN.
        driver.advanceWallClockTime(AlertReactor.RULES_SEEN_WITHIN);
        AlertEvent missed = alerts.readValue();
        assertEquals(AlertCondition.MISSED, missed.getCondition());
        assertEquals(JOB, missed.getJobKey());
    }

    @Test
    void aReloadReadsTheJobsAgainASliceAPerCheckAndEveryOverdueOneFires() throws Exception {
        // A schedule added by a reload, for 250 jobs: the task re-reads its jobs 100 a check (the slice,
        // DUE_PER_CHECK in production) in key order, so that its events are folded between the slices, and the next
        // slice comes a check interval later whether the last one found anything due or not. The first 100 keys
        // succeeded again lately (not due); the other 150 are overdue.
        java.util.concurrent.atomic.AtomicReference<Rules> rules = new java.util.concurrent.atomic.AtomicReference<>(
                Rules.parse("jobs:\n  - match: \"esxi-prod/*\"\n"));
        restartWithSlice(rules::get, 100);
        int jobs = 250;
        for (int i = 0; i < jobs; i++) {
            send(succeeded("esxi-prod/esxi/vm-" + (1000 + i), "1", START, 1000));
        }
        driver.advanceWallClockTime(Duration.ofHours(40));
        for (int i = 0; i < 100; i++) {
            send(succeeded("esxi-prod/esxi/vm-" + (1000 + i), "2", START.plus(Duration.ofHours(40)), 1000));
        }
        assertTrue(alerts.isEmpty(), "no schedule, no deadline");

        rules.set(Rules.parse("jobs:\n  - match: \"esxi-prod/*\"\n    schedule: {every: 24h, grace: 2h}\n"));
        driver.advanceWallClockTime(AlertReactor.RULES_SEEN_WITHIN);
        List<List<String>> perCheck = new ArrayList<>();
        for (int check = 0; check < 4; check++) {
            List<String> fired = new ArrayList<>();
            for (AlertEvent alert : alerts.readValuesToList()) {
                assertEquals(AlertCondition.MISSED, alert.getCondition(), alert.toString());
                fired.add(alert.getJobKey());
            }
            java.util.Collections.sort(fired);
            perCheck.add(fired);
            driver.advanceWallClockTime(Duration.ofMillis(250));
        }
        // Read all at once, the first check would fire 100 of the 150 overdue jobs (its slice of due deadlines).
        assertEquals(List.of(0, 100, 50, 0), perCheck.stream().map(List::size).toList());
        assertEquals("esxi-prod/esxi/vm-1100", perCheck.get(1).get(0));
        assertEquals("esxi-prod/esxi/vm-1249", perCheck.get(2).get(49));
        assertEquals(150, perCheck.stream().flatMap(List::stream).distinct().count(), "each overdue job's alert, once");
    }

    @Test
    void aSecondReloadWhileJobsAreReadAgainStartsOverWithTheNewestRules() throws Exception {
        // 250 overdue jobs; a reload adds their schedule and the first check fires the first slice's 100. A second
        // reload takes the schedule away before the next check: the other 150 jobs never fire.
        java.util.concurrent.atomic.AtomicReference<Rules> rules = new java.util.concurrent.atomic.AtomicReference<>(
                Rules.parse("jobs:\n  - match: \"esxi-prod/*\"\n"));
        restartWithSlice(rules::get, 100);
        for (int i = 0; i < 250; i++) {
            send(succeeded("esxi-prod/esxi/vm-" + (1000 + i), "1", START, 1000));
        }
        driver.advanceWallClockTime(Duration.ofHours(40));
        rules.set(Rules.parse("jobs:\n  - match: \"esxi-prod/*\"\n    schedule: {every: 24h, grace: 2h}\n"));
        driver.advanceWallClockTime(AlertReactor.RULES_SEEN_WITHIN);
        assertEquals(100, alerts.readValuesToList().size(), "the first slice under the first reload");

        rules.set(Rules.parse("jobs:\n  - match: \"esxi-prod/*\"\n"));
        for (int check = 0; check < 8; check++) {
            driver.advanceWallClockTime(Duration.ofMillis(250));
        }
        assertEquals(List.of(), alerts.readValuesToList().stream().filter(a -> a.getStatus() == AlertStatus.FIRING)
                .map(AlertEvent::getJobKey).toList(), "no job fired under rules without its schedule");
    }

    @Test
    void aRunThatDoesNotFinishWithinItsMaximumIsStuckUntilItEnds() {
        send(event(JOB, EventType.RUN_STARTED, "9", START).build());
        driver.advanceWallClockTime(Duration.ofHours(6).plusSeconds(1));
        AlertEvent stuck = alerts.readValue();
        assertEquals(AlertCondition.STUCK, stuck.getCondition());

        send(event(JOB, EventType.RUN_SUCCEEDED, "9", START.plus(Duration.ofHours(7))).setOutcome(RunOutcome.SUCCEEDED).build());
        AlertEvent resolved = alerts.readValuesToList().stream()
                .filter(a -> a.getCondition() == AlertCondition.STUCK).findFirst().orElseThrow();
        assertEquals(AlertStatus.RESOLVED, resolved.getStatus());
    }

    @Test
    void aRunMuchSmallerThanUsualIsAnAnomaly() {
        // The usual is the median of the runs before: 10,000,000 bytes, not their mean nor the largest.
        long[] usual = {12_000_000L, 8_000_000L, 10_000_000L, 11_500_000L, 9_000_000L};
        for (int i = 0; i < 5; i++) {
            send(event(JOB, EventType.RUN_SUCCEEDED, "n" + i, START.plusSeconds(i * 60L)).setOutcome(RunOutcome.SUCCEEDED)
                    .setDurationMs(600_000L).setBytes(usual[i]).build());
        }
        send(event(JOB, EventType.RUN_SUCCEEDED, "tiny", START.plusSeconds(600)).setOutcome(RunOutcome.SUCCEEDED)
                .setDurationMs(590_000L).setBytes(1_000L).build());

        AlertEvent anomaly = alerts.readValuesToList().stream()
                .filter(a -> a.getCondition() == AlertCondition.ANOMALY).findFirst().orElseThrow();
        assertEquals(Severity.WARNING, anomaly.getSeverity());
        assertEquals(JOB + ": the last run saved 1000 bytes, the usual is 10000000", anomaly.getSummary());
    }

    @Test
    void aRetriedHookDoesNotRepeatTheAlert() {
        BackupEvent once = failed(JOB, "1", START, "x");
        send(once);
        send(once);
        assertEquals(1, alerts.readRecordsToList().size());
    }

    @Test
    void aRestorePointDatedYearsAheadWarnsAndAPlausibleOneResolves() {
        BackupEvent ahead = succeeded(JOB, "40", START, 1000);
        ahead.getRestorePoint().setCreatedAt(Instant.parse("2031-05-01T00:00:00Z"));
        send(ahead);
        AlertEvent warning = alerts.readRecordsToList().stream().map(TestRecord::value)
                .filter(a -> a.getCondition() == AlertCondition.RESTORE_POINT_CLOCK).findFirst().orElseThrow();
        assertEquals(AlertStatus.FIRING, warning.getStatus());
        assertEquals(Severity.WARNING, warning.getSeverity());
        assertTrue(warning.getSummary().contains("restore point rp-40 is dated in the future (2031-05-01T00:00:00Z)"),
                warning.getSummary());

        send(succeeded(JOB, "41", START.plusSeconds(3600), 1000));
        AlertEvent resolved = alerts.readRecordsToList().stream().map(TestRecord::value)
                .filter(a -> a.getCondition() == AlertCondition.RESTORE_POINT_CLOCK).findFirst().orElseThrow();
        assertEquals(AlertStatus.RESOLVED, resolved.getStatus());
    }
}
