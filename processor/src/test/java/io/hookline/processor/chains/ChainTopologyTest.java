package io.hookline.processor.chains;

import static io.hookline.processor.Events.event;
import static io.hookline.processor.Events.failed;
import static io.hookline.processor.Events.succeeded;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;

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
import io.hookline.processor.rules.Rules;
import io.hookline.processor.streams.TopologyProducer;
import io.hookline.schema.ActionKind;
import io.hookline.schema.AlertCondition;
import io.hookline.schema.AlertEvent;
import io.hookline.schema.AlertStatus;
import io.hookline.schema.BackupEvent;
import io.hookline.schema.ChainCause;
import io.hookline.schema.Command;
import io.hookline.schema.CommandDetail;
import io.hookline.schema.CommandState;
import io.hookline.schema.EventType;
import io.hookline.schema.JobState;
import io.hookline.schema.RunOutcome;
import io.hookline.schema.SourceKind;
import io.hookline.schema.serde.AvroSerde;
import io.hookline.schema.topics.Topics;

/** Chain rules in the topology: what a user sees on hookline.commands and in the chained job's state. */
class ChainTopologyTest {

    static final Instant START = Instant.now().minusSeconds(60).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    static final String NIGHTLY = "esxi-prod/nightly";
    static final String COPY = "esxi-prod/copy";
    static final String RULES = """
            chains:
              - name: offsite
                when: {job: "esxi-prod/nightly", on: succeeded}
                expire-after: 1h
                run:
                  - {agent: nas01, action: restic-copy, parameters: {repo: offsite}}
              - name: verify-both
                after:
                  - {job: "esxi-prod/nightly", on: succeeded}
                  - {job: "esxi-prod/copy", on: [succeeded, warning]}
                within: 6h
                run:
                  - {agent: pve01, action: verify, job: verify-copies}
              - name: second-step
                when: {job: "nas01/restic-copy", on: finished}
                max-depth: 1
                run:
                  - {agent: nas02, action: never}
            """;

    final Topics topics = Topics.withDefaultPrefix();
    TopologyTestDriver driver;
    TestInputTopic<String, BackupEvent> events;
    TestOutputTopic<String, Command> commands;
    TestOutputTopic<String, AlertEvent> alerts;

    void start(String rules) throws Exception {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "chain-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(TopologyProducer.build(topics, Rules.parse(rules), Duration.ofSeconds(1)), props,
                START);
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

    JobState job(String key) {
        KeyValueStore<String, JobState> store = driver.getKeyValueStore(TopologyProducer.JOB_STATE_STORE);
        return store.get(key);
    }

    @Test
    void aSucceededRunQueuesOneCommandForTheAgentWithTheRunsParameters() throws Exception {
        start(RULES);
        send(succeeded(NIGHTLY, "4711", START, 60_000));

        List<TestRecord<String, Command>> out = commands.readRecordsToList();
        assertEquals(1, out.size(), out.toString());
        Command command = out.get(0).value();
        assertEquals("nas01", out.get(0).key(), "keyed by the agent");
        assertEquals(ActionKind.AGENT, command.getKind());
        assertEquals("restic-copy", command.getAction());
        assertEquals("nas01/restic-copy", command.getJobKey());
        assertEquals(NIGHTLY, command.getParameters().get("job"));
        assertEquals("4711", command.getParameters().get("run-id"));
        assertEquals("succeeded", command.getParameters().get("outcome"));
        assertEquals("rp-4711", command.getParameters().get("restore-point"));
        assertEquals("offsite", command.getParameters().get("repo"));
        assertEquals(1, command.getCause().getDepth());
        assertEquals(NIGHTLY, command.getCause().getUpstream().get(0).getJobKey());
        assertTrue(command.getCommandId().startsWith("cmd_"), command.getCommandId());
        assertEquals(START.plus(Duration.ofHours(1)), command.getExpiresAt());

        JobState chained = job("nas01/restic-copy");
        assertNotNull(chained, "the queued event was folded into the chained job");
        assertEquals(SourceKind.AGENT, chained.getSourceKind());
        assertEquals(CommandState.QUEUED, chained.getCommands().get(0).getStatus());
        assertEquals(command.getCommandId(), chained.getCommands().get(0).getCause().getCommandId());
        assertEquals(0, chained.getRunCount(), "queued is not a run");
    }

    @Test
    void aFailedRunARetriedHookAndAnotherJobQueueNothing() throws Exception {
        start(RULES);
        BackupEvent good = succeeded(NIGHTLY, "1", START, 60_000);
        send(good);
        send(good);
        send(failed(NIGHTLY, "2", START.plusSeconds(60), "datastore full"));
        send(succeeded("esxi-lab/nightly", "3", START.plusSeconds(120), 1000));

        assertEquals(1, commands.readRecordsToList().size(), "only the first success of the chained job");
    }

    @Test
    void theSameTriggerGivesTheSameCommandIdOnAnotherRun() throws Exception {
        BackupEvent good = succeeded(NIGHTLY, "7", START, 60_000);
        start(RULES);
        send(good);
        String first = commands.readValue().getCommandId();
        driver.close();
        // A processor that folds the same log again (a crash before the commit, a new instance) decides the same.
        start(RULES);
        send(good);
        assertEquals(first, commands.readValue().getCommandId());
    }

    @Test
    void theChainedRunIsLinkedToItsCauseAndItsEndCanTriggerTheNextStepWithinTheDepth() throws Exception {
        start(RULES);
        send(succeeded(NIGHTLY, "8", START, 60_000));
        Command command = commands.readValue();
        send(agentEvent(command, EventType.RUN_STARTED, ":started", null, START.plusSeconds(10)));
        send(agentEvent(command, EventType.RUN_SUCCEEDED, ":finished", RunOutcome.SUCCEEDED, START.plusSeconds(20)));

        JobState chained = job("nas01/restic-copy");
        assertEquals(CommandState.SUCCEEDED, chained.getCommands().get(0).getStatus());
        assertEquals(1, chained.getRunCount());
        ChainCause cause = chained.getLastRun().getCause();
        assertEquals("offsite", cause.getRule());
        assertEquals(NIGHTLY, cause.getUpstream().get(0).getJobKey());
        assertEquals("8", cause.getUpstream().get(0).getRunId());
        // second-step allows depth 1 only: the chained run is step 1, so what it would start is step 2.
        assertTrue(commands.isEmpty(), "max-depth 1 stops the second step");
    }

    @Test
    void aCommandNobodyStartsExpiresAsAFailedRunAndAlerts() throws Exception {
        start(RULES);
        send(succeeded(NIGHTLY, "9", START, 60_000));
        Command command = commands.readValue();
        driver.advanceWallClockTime(Duration.ofMinutes(61));
        driver.advanceWallClockTime(Duration.ofSeconds(2));

        JobState chained = job("nas01/restic-copy");
        assertEquals(CommandState.EXPIRED, chained.getCommands().get(0).getStatus());
        assertEquals(RunOutcome.FAILED, chained.getLastRun().getOutcome());
        assertTrue(chained.getLastRun().getErrorMessage().contains("did not start action restic-copy"),
                chained.getLastRun().getErrorMessage());
        List<AlertEvent> fired = alerts.readValuesToList().stream()
                .filter(a -> a.getJobKey().equals("nas01/restic-copy")).toList();
        assertEquals(1, fired.size(), fired.toString());
        assertEquals(AlertCondition.FAILED, fired.get(0).getCondition());
        assertEquals(AlertStatus.FIRING, fired.get(0).getStatus());
        assertTrue(fired.get(0).getSummary().contains(command.getCommandId()), fired.get(0).getSummary());
    }

    @Test
    void aCommandQueuedBeforeItsTaskRestartedStillExpiresOnceOnTime() throws Exception {
        start(RULES);
        send(succeeded(NIGHTLY, "11", START, 60_000));
        Command command = commands.readValue();

        // A new task (a restart, a rebalance) finds the queued command in its restored store and nowhere else.
        MockProcessorContext<String, Object> context = new MockProcessorContext<>();
        KeyValueStore<String, BackupEvent> deadlines = TaskStores.add(context, ChainReactor.DEADLINES,
                AvroSerde.of(BackupEvent.class));
        TaskStores.add(context, ChainReactor.COMMANDS, AvroSerde.of(Command.class));
        deadlines.put(command.getCommandId(), ChainLogic.expired(command, command.getExpiresAt()));
        context.setCurrentSystemTimeMs(command.getCreatedAt().toEpochMilli());
        Rules rules = Rules.parse(RULES);
        new ChainReactor(() -> rules, Duration.ofSeconds(1)).start(context, null);
        Punctuator check = context.scheduledPunctuators().stream()
                .filter(punctuator -> punctuator.getInterval().equals(Duration.ofSeconds(1)))
                .findFirst().orElseThrow().getPunctuator();

        long due = command.getExpiresAt().plus(ChainReactor.EXPIRY_GRACE).toEpochMilli();
        check.punctuate(command.getExpiresAt().toEpochMilli());
        check.punctuate(due - 1);
        assertTrue(context.forwarded().isEmpty(), "expired within the grace: " + context.forwarded());

        check.punctuate(due + 1);
        List<BackupEvent> expired = context.forwarded(ChainReactor.EVENT_SINK).stream()
                .map(forward -> (BackupEvent) forward.record().value()).toList();
        assertEquals(1, expired.size(), expired.toString());
        assertEquals(EventType.COMMAND_EXPIRED, expired.get(0).getType());
        assertEquals("nas01/restic-copy", expired.get(0).getJobKey());
        assertEquals(command.getCommandId(), expired.get(0).getCommand().getCause().getCommandId());
        assertNull(deadlines.get(command.getCommandId()));

        context.resetForwards();
        check.punctuate(due + 60_000);
        assertTrue(context.forwarded().isEmpty(), "expired twice: " + context.forwarded());
    }

    @Test
    void aCommandStartedBeforeItsExpiryDoesNotExpire() throws Exception {
        start(RULES);
        send(succeeded(NIGHTLY, "10", START, 60_000));
        Command command = commands.readValue();
        send(agentEvent(command, EventType.RUN_STARTED, ":started", null, START.plusSeconds(30)));
        driver.advanceWallClockTime(Duration.ofHours(2));

        JobState chained = job("nas01/restic-copy");
        assertEquals(CommandState.STARTED, chained.getCommands().get(0).getStatus());
        assertEquals(0, chained.getRunCount());
    }

    @Test
    void fanInWaitsForEveryUpstreamAndOneFailingHoldsItBack() throws Exception {
        start(RULES);
        send(succeeded(NIGHTLY, "20", START, 60_000));
        commands.readRecordsToList(); // the offsite rule's command
        send(failed(COPY, "21", START.plusSeconds(60), "repository locked"));
        assertTrue(commands.isEmpty(), "the copy failed: verify-both waits");

        send(succeeded(COPY, "22", START.plusSeconds(120), 1000));
        List<Command> out = commands.readValuesToList();
        assertEquals(1, out.size(), out.toString());
        Command verify = out.get(0);
        assertEquals("pve01", verify.getAgent());
        assertEquals("pve01/verify-copies", verify.getJobKey());
        assertEquals(List.of(NIGHTLY, COPY), verify.getCause().getUpstream().stream().map(u -> u.getJobKey()).toList());
        assertEquals("22", verify.getCause().getUpstream().get(1).getRunId());
        assertEquals(NIGHTLY + "," + COPY, verify.getParameters().get("upstream-jobs"));

        send(succeeded(COPY, "23", START.plusSeconds(180), 1000));
        assertTrue(commands.isEmpty(), "a fired fan-in needs every upstream to end again");
    }

    @Test
    void fanInUpstreamsFurtherApartThanWithinDoNotFire() throws Exception {
        start(RULES);
        send(succeeded(COPY, "30", START.minus(Duration.ofHours(7)), 1000));
        send(succeeded(NIGHTLY, "31", START, 60_000));
        assertEquals(List.of("nas01"), commands.readRecordsToList().stream().map(TestRecord::key).toList(),
                "only offsite: the copy ended 7 h before, verify-both asks within 6h");
    }

    @Test
    void anAgentThatStopsPollingAlertsAndPollingAgainResolves() throws Exception {
        start(RULES);
        send(ChainsApiTest.agentPoll("nas01", START));
        driver.advanceWallClockTime(Duration.ofMinutes(6));
        List<AlertEvent> fired = alerts.readValuesToList();
        assertEquals(1, fired.size(), fired.toString());
        assertEquals("nas01/agent/missed", fired.get(0).getAlertKey());
        assertTrue(fired.get(0).getSummary().startsWith("agent nas01 stopped polling: last seen at " + START),
                fired.get(0).getSummary());

        send(ChainsApiTest.agentPoll("nas01", START.plus(Duration.ofMinutes(7))));
        AlertEvent resolved = alerts.readValue();
        assertEquals(AlertStatus.RESOLVED, resolved.getStatus());
        assertEquals("agent nas01 polls again (" + START.plus(Duration.ofMinutes(7)) + ")", resolved.getSummary());
    }

    /** What the gateway writes when the agent reports on a command. */
    static BackupEvent agentEvent(Command command, EventType type, String suffix, RunOutcome outcome, Instant at) {
        return event(command.getJobKey(), type, command.getCommandId(), at)
                .setEventId(command.getCommandId() + suffix)
                .setSourceKind(SourceKind.AGENT)
                .setSourceName(command.getAgent())
                .setJob(command.getJobKey().substring(command.getJobKey().indexOf('/') + 1))
                .setHost(null)
                .setOutcome(outcome)
                .setCommand(CommandDetail.newBuilder().setCause(command.getCause()).setKind(command.getKind())
                        .setAgent(command.getAgent())
                        .setAction(command.getAction()).setExitCode(outcome == null ? null : 0).build())
                .build();
    }
}
