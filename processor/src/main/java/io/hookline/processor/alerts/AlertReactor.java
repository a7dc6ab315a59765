package io.hookline.processor.alerts;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.jboss.logging.Logger;

import io.hookline.processor.react.DueIndex;
import io.hookline.processor.react.DueWakeup;
import io.hookline.processor.react.JobChange;
import io.hookline.processor.react.Reactor;
import io.hookline.processor.react.SlicedPass;
import io.hookline.processor.react.StoreSweep;
import io.hookline.processor.rules.JobRule;
import io.hookline.processor.rules.Rules;
import io.hookline.schema.AlertEvent;
import io.hookline.schema.AlertStatus;
import io.hookline.schema.JobState;
import io.hookline.schema.cloudevents.CloudEventHeaders;
import io.hookline.schema.serde.AvroSerde;
import io.hookline.schema.topics.Topics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * Alert steps from job changes ({@link AlertLogic#onEvent}) and, every {@code checkInterval} of wall-clock time,
 * from the deadlines that have come (missed and stuck runs, {@link AlertLogic#onClock}; a {@link DueIndex}
 * by time, so a check costs what is due): kept in the alerts store, written to hookline.alerts. Resolved alerts
 * leave the store after {@link #KEEP_RESOLVED}.
 */
public final class AlertReactor implements Reactor {

    public static final String STORE = "alerts";
    static final String SINK = "alert-sink";
    /** Resolved alerts stay readable in /api/alerts this long. */
    static final Duration KEEP_RESOLVED = Duration.ofDays(7);
    /** How often resolved alerts past {@link #KEEP_RESOLVED} are looked for (a pass over the store, in slices). */
    static final Duration FORGET_RESOLVED_EVERY = Duration.ofMinutes(10);

    /** An alert resolved longer ago than {@link #KEEP_RESOLVED}: forgotten. */
    static boolean forgotten(AlertEvent alert, Instant now) {
        return alert.getStatus() == AlertStatus.RESOLVED && alert.getUpdatedAt().plus(KEEP_RESOLVED).isBefore(now);
    }

    private static final Logger LOG = Logger.getLogger(AlertReactor.class);

    /**
     * The longest a task goes without a check while nothing is due: a reload of the rules (other schedules, other
     * deadlines) is seen within this, and its re-read of the jobs' deadlines starts then, a slice a check.
     */
    static final Duration RULES_SEEN_WITHIN = Duration.ofSeconds(5);

    /**
     * The most deadlines one check looks at, and the most jobs it re-reads after a reload of the rules:
     * {@link DueIndex#MOST_PER_LOOK}, the others at the next checks, a check interval apart.
     */
    static final int DUE_PER_CHECK = DueIndex.MOST_PER_LOOK;

    private final int duePerCheck;
    private final Supplier<Rules> rules;
    private final Duration checkInterval;
    private final Duration agentOfflineAfter;
    private final AvroSerde<AlertEvent> serde = AvroSerde.of(AlertEvent.class);
    /** The open alerts of each task this instance runs, kept as steps are recorded, for the gauge and the API. */
    private final FiringAlerts firing;

    /**
     * {@code rules}: the rules in force, asked for every change and every check (they may be reloaded);
     * {@code agentOfflineAfter}: how long an agent may go without polling before its alert fires.
     */
    public AlertReactor(Supplier<Rules> rules, Duration checkInterval, Duration agentOfflineAfter) {
        this(rules, checkInterval, agentOfflineAfter, new SimpleMeterRegistry(), new FiringAlerts());
    }

    /**
     * {@code metrics}: hookline_alerts_firing, the open alerts of the tasks this instance runs (sum instances), read
     * from {@code firing}: the gauge costs nothing when Prometheus scrapes, however many alerts a storm opened.
     */
    public AlertReactor(Supplier<Rules> rules, Duration checkInterval, Duration agentOfflineAfter,
            MeterRegistry metrics, FiringAlerts firing) {
        this(rules, checkInterval, agentOfflineAfter, metrics, firing, DUE_PER_CHECK);
    }

    /** {@code duePerCheck}: the most deadlines or jobs one check reads ({@link #DUE_PER_CHECK} but in tests). */
    AlertReactor(Supplier<Rules> rules, Duration checkInterval, Duration agentOfflineAfter, MeterRegistry metrics,
            FiringAlerts firing, int duePerCheck) {
        this.duePerCheck = duePerCheck;
        this.rules = rules;
        this.checkInterval = checkInterval;
        this.agentOfflineAfter = agentOfflineAfter;
        this.firing = firing;
        Gauge.builder("hookline.alerts.firing", firing, FiringAlerts::count)
                .description("Open alerts (firing or repeated) held by this instance (sum over instances)")
                .register(metrics);
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
        task.wakeup = new DueWakeup(context, task.deadlines, checkInterval, RULES_SEEN_WITHIN, task::checkDeadlines);
        new StoreSweep<>(alerts, FORGET_RESOLVED_EVERY, AlertReactor::forgotten).schedule(context);
        return task;
    }

    private final class Task implements Reaction {

        private final ProcessorContext<String, Object> context;
        private final ReadOnlyKeyValueStore<String, JobState> jobs;
        private final KeyValueStore<String, AlertEvent> alerts;
        private final DueIndex deadlines = new DueIndex();
        /** This task's open alerts: read once from the store when the task starts, then kept per step. */
        private final FiringAlerts.Part openHere;
        /**
         * The rules jobs are indexed with: those in force when the task started, which indexes every job it restored
         * as the job task hands them over ({@link #restored}); after a reload, the new ones, for each job as it
         * changes and for every job by {@link #reindex}.
         */
        private Rules indexedWith;
        /**
         * After a reload, every job read again with the new rules, {@link #duePerCheck} a check: with 100,000 jobs one
         * pass held the stream thread about a second (bench/processor: the slowest hook across a reload 1.05 s, with
         * slices 0.35-0.42 s), every event behind it.
         */
        private final SlicedPass<JobState> reindex;
        private DueWakeup wakeup;

        Task(ProcessorContext<String, Object> context, ReadOnlyKeyValueStore<String, JobState> jobs,
                KeyValueStore<String, AlertEvent> alerts) {
            this.context = context;
            this.jobs = jobs;
            this.alerts = alerts;
            // A task starts after its store is restored: the one walk, here, not on every scrape or request.
            FiringAlerts.Part part = new FiringAlerts.Part();
            try (KeyValueIterator<String, AlertEvent> all = alerts.all()) {
                all.forEachRemaining(entry -> part.follow(entry.value));
            }
            this.openHere = part;
            firing.start(context.taskId(), part);
            this.indexedWith = rules.get();
            this.reindex = new SlicedPass<>(jobs, duePerCheck);
        }

        @Override
        public void restored(String jobKey, JobState state) {
            index(jobKey, state, indexedWith);
        }

        @Override
        public void close() {
            firing.stop(context.taskId(), openHere);
        }

        @Override
        public void changed(JobChange change) {
            index(change.jobKey(), change.after(), indexedWith);
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

        /**
         * The jobs whose deadline has come (from the index, not a walk over every job): their missed, stuck or
         * offline alerts, then each one's next deadline. A change of rules re-reads every job, a slice a check; a
         * due job is judged by the rules in force whether its entry is re-read yet or not.
         */
        void checkDeadlines(long wallClockMs) {
            Instant now = Instant.ofEpochMilli(wallClockMs);
            Rules inForce = rules.get();
            if (inForce != indexedWith) {
                indexedWith = inForce;
                reindex.start();
            }
            if (reindex.active()) {
                reindex.next((jobKey, state) -> index(jobKey, state, inForce));
                if (reindex.active()) {
                    wakeup.soon();
                } else {
                    LOG.debugf("deadlines indexed again: %d jobs with a deadline", deadlines.size());
                }
            }
            List<AlertEvent> steps = new ArrayList<>();
            for (String jobKey : deadlines.takeDue(now, duePerCheck)) {
                JobState state = jobs.get(jobKey);
                if (state == null) {
                    continue;
                }
                JobRule rule = inForce.forJob(jobKey);
                try {
                    steps.addAll(AlertLogic.isAgentJob(state)
                            ? AlertLogic.agentOnClock(state, agentOfflineAfter, alerts::get, now)
                            : AlertLogic.onClock(state, rule, alerts::get, now));
                    deadlines.put(jobKey, AlertDeadlines.next(state, rule, agentOfflineAfter, now));
                } catch (RuntimeException e) {
                    // One job's odd state must not stop the deadlines of every other job.
                    LOG.errorf("deadline check of %s skipped: %s", jobKey, e);
                }
            }
            record(steps, wallClockMs);
        }

        private void index(String jobKey, JobState state, Rules inForce) {
            try {
                deadlines.put(jobKey, AlertDeadlines.next(state, inForce.forJob(jobKey), agentOfflineAfter, null));
            } catch (RuntimeException e) {
                LOG.errorf("deadline of %s not indexed: %s", jobKey, e);
            }
        }

        private void record(List<AlertEvent> steps, long timestamp) {
            for (AlertEvent step : steps) {
                alerts.put(step.getAlertKey(), step);
                openHere.follow(step);
                Headers headers = CloudEventHeaders.of(step.getAlertKey() + "#" + step.getSequence(),
                        "/hookline/processor", CloudEventHeaders.TYPE_PREFIX + "alert."
                                + step.getStatus().name().toLowerCase(Locale.ROOT),
                        step.getUpdatedAt(), step.getJobKey());
                context.forward(new Record<String, Object>(step.getAlertKey(), step, timestamp, headers), SINK);
            }
        }
    }

}
