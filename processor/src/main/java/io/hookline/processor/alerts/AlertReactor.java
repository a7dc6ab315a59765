package io.hookline.processor.alerts;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.jboss.logging.Logger;

import io.hookline.processor.react.JobChange;
import io.hookline.processor.react.Reactor;
import io.hookline.processor.rules.JobRule;
import io.hookline.processor.rules.Rules;
import io.hookline.schema.AlertEvent;
import io.hookline.schema.AlertStatus;
import io.hookline.schema.JobState;
import io.hookline.schema.cloudevents.CloudEventHeaders;
import io.hookline.schema.serde.AvroSerde;
import io.hookline.schema.topics.Topics;

/**
 * Alert steps from job changes ({@link AlertLogic#onEvent}) and, every {@code checkInterval} of wall-clock time,
 * from deadlines (missed and stuck runs, {@link AlertLogic#onClock}): kept in the alerts store, written to
 * hookline.alerts. Resolved alerts leave the store after {@link #KEEP_RESOLVED}.
 */
public final class AlertReactor implements Reactor {

    public static final String STORE = "alerts";
    static final String SINK = "alert-sink";
    /** Resolved alerts stay readable in /api/alerts this long. */
    static final Duration KEEP_RESOLVED = Duration.ofDays(7);

    private static final Logger LOG = Logger.getLogger(AlertReactor.class);

    private final Supplier<Rules> rules;
    private final Duration checkInterval;
    private final Duration agentOfflineAfter;
    private final AvroSerde<AlertEvent> serde = AvroSerde.of(AlertEvent.class);

    /**
     * {@code rules}: the rules in force, asked for every change and every check (they may be reloaded);
     * {@code agentOfflineAfter}: how long an agent may go without polling before its alert fires.
     */
    public AlertReactor(Supplier<Rules> rules, Duration checkInterval, Duration agentOfflineAfter) {
        this.rules = rules;
        this.checkInterval = checkInterval;
        this.agentOfflineAfter = agentOfflineAfter;
    }

    @Override
    public String name() {
        return "alerts";
    }

    @Override
    public void addTo(Topology topology, Topics topics, String jobs) {
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE), Serdes.String(), serde),
                jobs);
        topology.addSink(SINK, topics.alerts(), Serdes.String().serializer(), serde, jobs);
    }

    @Override
    public Reaction start(ProcessorContext<String, Object> context, ReadOnlyKeyValueStore<String, JobState> jobs) {
        KeyValueStore<String, AlertEvent> alerts = context.getStateStore(STORE);
        Task task = new Task(context, jobs, alerts);
        context.schedule(checkInterval, PunctuationType.WALL_CLOCK_TIME, task::checkDeadlines);
        return task;
    }

    private final class Task implements Reaction {

        private final ProcessorContext<String, Object> context;
        private final ReadOnlyKeyValueStore<String, JobState> jobs;
        private final KeyValueStore<String, AlertEvent> alerts;

        Task(ProcessorContext<String, Object> context, ReadOnlyKeyValueStore<String, JobState> jobs,
                KeyValueStore<String, AlertEvent> alerts) {
            this.context = context;
            this.jobs = jobs;
            this.alerts = alerts;
        }

        @Override
        public void changed(JobChange change) {
            if (change.event().getType() == io.hookline.schema.EventType.AGENT_SEEN
                    && AlertLogic.isAgentJob(change.after())) {
                record(AlertLogic.agentSeen(change.after(), change.event().getEventId(), alerts::get,
                        change.event().getReceivedAt()), change.timestamp());
                return;
            }
            record(AlertLogic.onEvent(change.before(), change.after(), change.event().getEventId(),
                    rules.get().forJob(change.jobKey()), alerts::get, change.event().getReceivedAt()), change.timestamp());
            record(AlertLogic.onRestorePoint(change.before(), change.after(), change.event().getEventId(), alerts::get,
                    change.event().getReceivedAt()), change.timestamp());
        }

        void checkDeadlines(long wallClockMs) {
            Instant now = Instant.ofEpochMilli(wallClockMs);
            List<AlertEvent> steps = new ArrayList<>();
            Rules inForce = rules.get();
            try (KeyValueIterator<String, JobState> all = jobs.all()) {
                while (all.hasNext()) {
                    KeyValue<String, JobState> job = all.next();
                    if (AlertLogic.isAgentJob(job.value)) {
                        steps.addAll(AlertLogic.agentOnClock(job.value, agentOfflineAfter, alerts::get, now));
                        continue;
                    }
                    JobRule rule = inForce.forJob(job.key);
                    if (rule.schedule() != null || rule.maxDuration() != null) {
                        try {
                            steps.addAll(AlertLogic.onClock(job.value, rule, alerts::get, now));
                        } catch (RuntimeException e) {
                            // One job's odd state must not stop the deadlines of every other job.
                            LOG.errorf("deadline check of %s skipped: %s", job.key, e);
                        }
                    }
                }
            }
            record(steps, wallClockMs);
            List<String> expired = new ArrayList<>();
            try (KeyValueIterator<String, AlertEvent> all = alerts.all()) {
                all.forEachRemaining(entry -> {
                    if (entry.value.getStatus() == AlertStatus.RESOLVED
                            && entry.value.getUpdatedAt().plus(KEEP_RESOLVED).isBefore(now)) {
                        expired.add(entry.key);
                    }
                });
            }
            expired.forEach(alerts::delete);
        }

        private void record(List<AlertEvent> steps, long timestamp) {
            for (AlertEvent step : steps) {
                alerts.put(step.getAlertKey(), step);
                Headers headers = CloudEventHeaders.of(step.getAlertKey() + "#" + step.getSequence(),
                        "/hookline/processor", CloudEventHeaders.TYPE_PREFIX + "alert."
                                + step.getStatus().name().toLowerCase(Locale.ROOT),
                        step.getUpdatedAt(), step.getJobKey());
                context.forward(new Record<String, Object>(step.getAlertKey(), step, timestamp, headers), SINK);
            }
        }
    }
}
