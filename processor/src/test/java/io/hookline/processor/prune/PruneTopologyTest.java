package io.hookline.processor.prune;

import static io.hookline.processor.Events.event;
import static io.hookline.processor.Events.failed;
import static io.hookline.processor.Events.succeeded;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.processor.Punctuator;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.hookline.processor.TaskStores;
import io.hookline.processor.alerts.AlertReactor;
import io.hookline.processor.chains.ChainLogic;
import io.hookline.processor.chains.ChainReactor;
import io.hookline.processor.rules.Rules;
import io.hookline.processor.streams.TopologyProducer;
import io.hookline.runtime.commands.CommandEvents;
import io.hookline.schema.ActionKind;
import io.hookline.schema.AlertCondition;
import io.hookline.schema.AlertEvent;
import io.hookline.schema.AlertStatus;
import io.hookline.schema.BackupEvent;
import io.hookline.schema.Command;
import io.hookline.schema.CommandState;
import io.hookline.schema.EventType;
import io.hookline.schema.JobState;
import io.hookline.schema.RestorePoint;
import io.hookline.schema.RunOutcome;
import io.hookline.schema.serde.AvroSerde;
import io.hookline.schema.topics.Topics;

/**
 * Retention enforced in the topology: the prunes a user sees on hookline.commands, and the job's restore points after
 * the agent (or a webhook) reports how each ended.
 */
class PruneTopologyTest {

    static final Instant START = Instant.now().minus(Duration.ofDays(10)).truncatedTo(ChronoUnit.MILLIS);
    static final String NIGHTLY = "esxi-prod/nightly";
    static final String PRUNE_JOB = "esxi01/prune-xsibackup";
    static final String RULES = """
            receivers:
              - {name: backup-api, type: webhook, url: "https://backup-api.example.org/prune"}
            retention:
              - match: "esxi-prod/*"
                keep-last: 2
                enforce: true
                prune: {agent: esxi01, action: prune-xsibackup, parameters: {root: /vmfs/volumes/backup}}
              - match: "restic/*"
                keep-last: 1
                enforce: true
                prune: {webhook: backup-api}
              - match: "report/*"
                keep-last: 1
                prune: {agent: nas01, action: prune}
            """;

    /** The same rules with the report-only policy enforced, as an operator's reload would make them. */
    static final String REPORTS_ENFORCED = RULES.replace("""
              - match: "report/*"
                keep-last: 1
            """, """
              - match: "report/*"
                keep-last: 1
                enforce: true
            """);

    final Topics topics = Topics.withDefaultPrefix();
    final AtomicReference<Rules> rules = new AtomicReference<>();
    TopologyTestDriver driver;
    TestInputTopic<String, BackupEvent> events;
    TestOutputTopic<String, Command> commands;
    TestOutputTopic<String, AlertEvent> alerts;

    void start(String yaml) throws Exception {
        start(yaml, PruneReactor.SWEEP_SLICE);
    }

    void start(String yaml, int sweepSlice) throws Exception {
        rules.set(Rules.parse(yaml));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "prune-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        var reactors = List.of(new AlertReactor(rules::get, Duration.ofSeconds(1), Duration.ofMinutes(5)),
                new ChainReactor(rules::get, Duration.ofSeconds(1)),
                new PruneReactor(rules::get, new io.micrometer.core.instrument.simple.SimpleMeterRegistry(), sweepSlice));
        driver = new TopologyTestDriver(TopologyProducer.build(topics, reactors,
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry()), props, START.plus(Duration.ofDays(3)));
        events = driver.createInputTopic(topics.events(), Serdes.String().serializer(), AvroSerde.of(BackupEvent.class));
        commands = driver.createOutputTopic(topics.commands(), Serdes.String().deserializer(), AvroSerde.of(Command.class));
        alerts = driver.createOutputTopic(topics.alerts(), Serdes.String().deserializer(), AvroSerde.of(AlertEvent.class));
    }

    @AfterEach
    void stop() {
        if (driver != null) {
            driver.close();
        }
    }

    void send(BackupEvent event) {
        events.pipeInput(event.getJobKey(), event, event.getReceivedAt());
    }

    /** Three good nights of a job: rp-1, rp-2, rp-3, a day apart. */
    void threeNights(String jobKey) {
        for (int night = 1; night <= 3; night++) {
            send(succeeded(jobKey, Integer.toString(night), START.plus(Duration.ofDays(night - 1)), 60_000));
        }
    }

    JobState job(String key) {
        KeyValueStore<String, JobState> store = driver.getKeyValueStore(TopologyProducer.JOB_STATE_STORE);
        return store.get(key);
    }

    List<String> points(String key) {
        return job(key).getRestorePoints().stream().map(RestorePoint::getId).toList();
    }

    List<PruneLogic.Pending> pending(String key) {
        KeyValueStore<String, byte[]> store = driver.getKeyValueStore(PruneReactor.PENDING);
        return PruneReactor.pendingOf(store, key);
    }

    /** What the gateway writes when the agent reports on a prune command. */
    static BackupEvent agentReport(Command command, EventType type, String step, RunOutcome outcome, String error,
            Instant at) {
        return CommandEvents.of(command, type, step, at).setOutcome(outcome).setErrorMessage(error)
                .setErrorCode(outcome == RunOutcome.FAILED ? "1" : null).build();
    }

    @Test
    void aThirdGoodNightPrunesTheOldestThroughTheAgentAndItsSuccessDeletesIt() throws Exception {
        start(RULES);
        threeNights(NIGHTLY);

        List<TestRecord<String, Command>> out = commands.readRecordsToList();
        assertEquals(1, out.size(), "keep-last 2 of 3: one prune, " + out);
        Command prune = out.get(0).value();
        assertEquals("esxi01", out.get(0).key(), "keyed by the agent");
        assertEquals(ActionKind.AGENT, prune.getKind());
        assertEquals("prune-xsibackup", prune.getAction());
        assertEquals(PRUNE_JOB, prune.getJobKey());
        assertEquals("rp-1", prune.getParameters().get("restore-point"));
        assertEquals(NIGHTLY, prune.getParameters().get("job"));
        assertEquals("/vmfs/volumes/backup", prune.getParameters().get("root"), "the rule's own parameter");
        assertEquals(START.atOffset(java.time.ZoneOffset.UTC).toString(), prune.getParameters().get("restore-point-time"));
        assertEquals("retention:esxi-prod/*", prune.getCause().getRule());
        assertEquals(NIGHTLY, prune.getPrune().getJobKey());
        assertEquals(1, prune.getPrune().getAttempt());
        assertEquals(List.of("rp-1"), prune.getPrune().getRestorePoints().stream().map(RestorePoint::getId).toList());
        assertEquals(CommandState.QUEUED, job(PRUNE_JOB).getCommands().get(0).getStatus(),
                "the prune's job shows it queued");
        assertEquals(PruneLogic.Pending.QUEUED, pending(NIGHTLY).get(0).status());

        Instant now = START.plus(Duration.ofDays(3));
        send(agentReport(prune, EventType.RUN_STARTED, ":started", null, null, now));
        send(agentReport(prune, EventType.RUN_SUCCEEDED, ":finished", RunOutcome.SUCCEEDED, null, now.plusSeconds(2)));

        assertEquals(List.of("rp-3", "rp-2"), points(NIGHTLY), "the pruned point left the job");
        assertEquals(EventType.RESTORE_POINT_DELETED, job(NIGHTLY).getLastEventType());
        assertTrue(pending(NIGHTLY).isEmpty(), "nothing pending once deleted");
        assertEquals(RunOutcome.SUCCEEDED, job(PRUNE_JOB).getLastRun().getOutcome());
        assertTrue(commands.isEmpty(), "a deletion decides again and prunes nothing more");
    }

    @Test
    void aPointIsNotSentAgainWhileItsPruneIsUnderWayAndANewNightPrunesTheNextOne() throws Exception {
        start(RULES);
        threeNights(NIGHTLY);
        Command first = commands.readValue();
        // A pin changes the points (so the job is decided again): rp-1 is still being pruned.
        send(event(NIGHTLY, EventType.RESTORE_POINT_PINNED, null, START.plus(Duration.ofDays(2)).plusSeconds(5))
                .setRestorePoint(RestorePoint.newBuilder().setId("rp-3").setCreatedAt(START).build()).build());
        assertTrue(commands.isEmpty(), "rp-1 is not sent twice");

        send(succeeded(NIGHTLY, "4", START.plus(Duration.ofDays(3)), 60_000));
        List<Command> next = commands.readValuesToList();
        assertEquals(1, next.size(), next.toString());
        assertEquals("rp-2", next.get(0).getParameters().get("restore-point"),
                "rp-3 pinned and rp-4 newest: rp-2 goes, rp-1's prune is still under way");
        assertNotEquals(first.getCommandId(), next.get(0).getCommandId());
        assertEquals(2, pending(NIGHTLY).size());
    }

    @Test
    void aFailedPruneAlertsKeepsThePointAndIsTriedAgainAfterItsWait() throws Exception {
        start(RULES);
        threeNights(NIGHTLY);
        Command prune = commands.readValue();
        // The task's first tick (a sweep over every job) before the failure: the retry is found from the failure.
        driver.advanceWallClockTime(PruneReactor.TICK);
        assertTrue(commands.isEmpty(), "a prune under way is not sent again");
        Instant now = START.plus(Duration.ofDays(3));
        String error = "prune of restore point rp-1 of job " + NIGHTLY + ": exit code 1: rm: Permission denied";
        send(agentReport(prune, EventType.RUN_STARTED, ":started", null, null, now));
        send(agentReport(prune, EventType.RUN_FAILED, ":finished", RunOutcome.FAILED, error, now.plusSeconds(1)));

        assertEquals(List.of("rp-3", "rp-2", "rp-1"), points(NIGHTLY), "a failed prune deletes nothing");
        PruneLogic.Pending failed = pending(NIGHTLY).get(0);
        assertEquals(PruneLogic.Pending.FAILED, failed.status());
        assertTrue(failed.error().contains("Permission denied"), failed.error());
        List<AlertEvent> fired = alerts.readValuesToList().stream().filter(a -> a.getJobKey().equals(PRUNE_JOB))
                .toList();
        assertEquals(1, fired.size(), fired.toString());
        assertEquals(AlertCondition.FAILED, fired.get(0).getCondition());
        assertEquals(AlertStatus.FIRING, fired.get(0).getStatus());
        assertTrue(fired.get(0).getSummary().contains("rp-1"), fired.get(0).getSummary());

        driver.advanceWallClockTime(Duration.ofMinutes(4));
        assertTrue(commands.isEmpty(), "not before its wait of 5 minutes");
        driver.advanceWallClockTime(Duration.ofMinutes(2));
        Command again = commands.readValue();
        assertEquals("rp-1", again.getParameters().get("restore-point"));
        assertEquals(2, again.getPrune().getAttempt());
        assertEquals("2", again.getParameters().get("attempt"));
        assertNotEquals(prune.getCommandId(), again.getCommandId(), "a new attempt is a new command");

        send(agentReport(again, EventType.RUN_SUCCEEDED, ":finished", RunOutcome.SUCCEEDED, null, now.plusSeconds(400)));
        assertEquals(List.of("rp-3", "rp-2"), points(NIGHTLY));
        assertEquals(AlertStatus.RESOLVED, alerts.readValuesToList().stream()
                .filter(a -> a.getJobKey().equals(PRUNE_JOB)).reduce((a, b) -> b).orElseThrow().getStatus(),
                "the prune's job succeeded again");
    }

    @Test
    void aPruneThatFailedBeforeItsTaskRestartedIsTriedAgainAfterItsWait() throws Exception {
        start(RULES);
        threeNights(NIGHTLY);
        Command prune = commands.readValue();
        Instant now = START.plus(Duration.ofDays(3));
        send(agentReport(prune, EventType.RUN_STARTED, ":started", null, null, now));
        send(agentReport(prune, EventType.RUN_FAILED, ":finished", RunOutcome.FAILED, "rm: Permission denied",
                now.plusSeconds(1)));
        long retryAt = pending(NIGHTLY).get(0).retryAt();

        // A new task (a restart, a rebalance) finds the job and its failed prune in its restored stores only.
        MockProcessorContext<String, Object> context = new MockProcessorContext<>();
        KeyValueStore<String, JobState> jobs = TaskStores.add(context, "jobs", AvroSerde.of(JobState.class));
        jobs.put(NIGHTLY, job(NIGHTLY));
        KeyValueStore<String, byte[]> restored = TaskStores.add(context, PruneReactor.PENDING, Serdes.ByteArray());
        KeyValueStore<String, byte[]> left = driver.getKeyValueStore(PruneReactor.PENDING);
        try (var all = left.all()) {
            all.forEachRemaining(entry -> restored.put(entry.key, entry.value));
        }
        TaskStores.add(context, ChainReactor.COMMANDS, AvroSerde.of(Command.class));
        new PruneReactor(rules::get).start(context, jobs);
        Punctuator tick = context.scheduledPunctuators().get(0).getPunctuator();

        tick.punctuate(retryAt - 1);
        assertTrue(context.forwarded(PruneReactor.COMMAND_SINK).isEmpty(), "not before its wait of 5 minutes");
        tick.punctuate(retryAt);
        List<Command> sent = context.forwarded(PruneReactor.COMMAND_SINK).stream()
                .map(forward -> (Command) forward.record().value()).toList();
        assertEquals(1, sent.size(), sent.toString());
        assertEquals("rp-1", sent.get(0).getParameters().get("restore-point"));
        assertEquals(2, sent.get(0).getPrune().getAttempt());

        context.resetForwards();
        tick.punctuate(retryAt + PruneReactor.TICK.toMillis());
        assertTrue(context.forwarded(PruneReactor.COMMAND_SINK).isEmpty(), "sent twice: " + context.forwarded());
    }

    @Test
    void aPruneNobodyStartsExpiresAndCountsAsFailed() throws Exception {
        start(RULES);
        threeNights(NIGHTLY);
        Command prune = commands.readValue();
        driver.advanceWallClockTime(Duration.ofMinutes(61));
        driver.advanceWallClockTime(Duration.ofSeconds(2));

        assertEquals(CommandState.EXPIRED, job(PRUNE_JOB).getCommands().get(0).getStatus());
        assertTrue(job(PRUNE_JOB).getLastRun().getErrorMessage().startsWith("prune of restore point rp-1 of job "
                + NIGHTLY + " (command " + prune.getCommandId() + ") expired"), job(PRUNE_JOB).getLastRun()
                .getErrorMessage());
        assertEquals(List.of("rp-3", "rp-2", "rp-1"), points(NIGHTLY));
        assertEquals(PruneLogic.Pending.FAILED, pending(NIGHTLY).get(0).status());
    }

    @Test
    void theNewestGoodPointOutlivesAMonthOfFailuresAndAWebhookGetsTheListAndItsAnswerDeletesThem() throws Exception {
        start(RULES);
        String job = "restic/nas01";
        send(succeeded(job, "1", START, 1000));
        for (int night = 1; night <= 30; night++) {
            send(failed(job, "f" + night, START.plus(Duration.ofHours(night)), "repository locked"));
        }
        assertTrue(commands.isEmpty(), "keep-last 1 of one good point: nothing to prune, " + commands.readValuesToList());
        send(succeeded(job, "2", START.plus(Duration.ofDays(2)), 1000));
        send(succeeded(job, "3", START.plus(Duration.ofDays(2)).plusSeconds(60), 1000));

        List<TestRecord<String, Command>> out = commands.readRecordsToList();
        assertEquals(2, out.size(), "one webhook command per decision, " + out);
        assertEquals("webhook:backup-api", out.get(0).key());
        Command firstList = out.get(0).value();
        assertEquals(ActionKind.WEBHOOK, firstList.getKind());
        assertEquals(List.of("rp-1"), firstList.getPrune().getRestorePoints().stream().map(RestorePoint::getId).toList());
        Command secondList = out.get(1).value();
        assertEquals(List.of("rp-2"), secondList.getPrune().getRestorePoints().stream().map(RestorePoint::getId).toList(),
                "rp-1 is under way, so the second decision lists rp-2 only");

        Instant at = START.plus(Duration.ofDays(3));
        send(ChainLogic.webhookEnded(firstList, true, 204, null, 1, at));
        send(ChainLogic.webhookEnded(secondList, false, 500, "500 Internal Server Error", 5, at));
        assertEquals(List.of("rp-3", "rp-2"), points(job), "the 2xx answer deleted rp-1, the failure kept rp-2");
        assertEquals(PruneLogic.Pending.FAILED, pending(job).get(0).status());
        assertEquals("rp-2", pending(job).get(0).pointId());
    }

    @Test
    void aSweepDecidesTheJobsASliceATickAndEndsWithTheStore() throws Exception {
        start(RULES, 1);
        threeNights("report/a");
        threeNights("report/b");
        assertTrue(commands.isEmpty(), "report only");

        rules.set(Rules.parse(REPORTS_ENFORCED));
        driver.advanceWallClockTime(PruneReactor.TICK);
        assertEquals(List.of("report/a", "report/a"), prunedJobs(), "one job a tick");
        driver.advanceWallClockTime(PruneReactor.TICK);
        assertEquals(List.of("report/b", "report/b"), prunedJobs());
        driver.advanceWallClockTime(PruneReactor.TICK);
        driver.advanceWallClockTime(PruneReactor.TICK);
        assertTrue(commands.isEmpty(), "the sweep has ended; the next comes within the hour");
    }

    @Test
    void rulesReloadedMoreOftenThanASweepTakesDoNotStarveTheJobsItHasNotReached() throws Exception {
        start(RULES, 1);
        threeNights("report/a");
        threeNights("report/b");
        rules.set(Rules.parse(REPORTS_ENFORCED));
        driver.advanceWallClockTime(PruneReactor.TICK);
        assertEquals(List.of("report/a", "report/a"), prunedJobs());

        // The same rules reloaded before every tick (a config sidecar, a cron'd reload): the pass still goes on.
        rules.set(Rules.parse(REPORTS_ENFORCED));
        driver.advanceWallClockTime(PruneReactor.TICK);
        assertEquals(List.of("report/b", "report/b"), prunedJobs(), "the pass went on to the next job");
        rules.set(Rules.parse(REPORTS_ENFORCED));
        driver.advanceWallClockTime(PruneReactor.TICK);
        driver.advanceWallClockTime(PruneReactor.TICK);
        assertTrue(commands.isEmpty(), "the pass after the reload decides again and finds the prunes under way");
    }

    /** The job of each restore point the commands sent since the last call prune. */
    List<String> prunedJobs() {
        return commands.readValuesToList().stream().flatMap(c -> c.getPrune().getRestorePoints().stream()
                .map(point -> c.getPrune().getJobKey())).toList();
    }

    @Test
    void aReportOnlyPolicySendsNothingUntilTheRulesEnforceIt() throws Exception {
        start(RULES);
        threeNights("report/nas01");
        assertTrue(commands.isEmpty(), "enforce is false by default");

        rules.set(Rules.parse(REPORTS_ENFORCED));
        driver.advanceWallClockTime(PruneReactor.TICK);
        List<Command> out = commands.readValuesToList();
        assertEquals(List.of("rp-2", "rp-1"), out.stream().map(c -> c.getParameters().get("restore-point")).toList(),
                "the reloaded rules decide every job again");
        assertEquals("nas01", out.get(0).getAgent());
        assertNotNull(job("nas01/prune"));
        driver.advanceWallClockTime(PruneReactor.TICK);
        assertTrue(commands.isEmpty(), "the next tick sends nothing more");
    }
}
