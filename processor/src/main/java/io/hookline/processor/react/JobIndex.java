package io.hookline.processor.react;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.LongAdder;

import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.Topology;

import io.hookline.processor.state.JobKeys;
import io.hookline.processor.state.JobStatus;
import io.hookline.schema.JobState;
import io.hookline.schema.topics.Topics;

/**
 * What the job list filters on, for every job this instance holds, in memory: its status, source, kind and host, and
 * its name where the key does not hold it; with the counts by each (what the dashboard's counts show on every
 * refresh). A filter of the job list, its search box or the agents page then walks this index instead of reading and
 * decoding every job's state from the stores (a third of a second with 100,000 jobs), and reads the states of the
 * page it answers only. Each task indexes its jobs once when it starts (after its store is restored, from the job
 * task's one read of them, {@link Reaction#restored}), then follows each fold; a task that leaves this instance
 * takes its part along. Jobs of the same status, source, kind and host share one {@link Facets}, so a job costs its
 * key, a node of the sorted map and its name if it has its own.
 */
public final class JobIndex implements Reactor {

    /** A job's status, source, kind and host (null when it has none), as the filters compare them. */
    public record Facets(String status, String source, String kind, String host) {

        static Facets of(JobState state) {
            return new Facets(JobStatus.of(state), state.getSourceName(),
                    state.getSourceKind().name().toLowerCase(Locale.ROOT), state.getHost());
        }

        /** The (field, value) pairs a job is counted under, in the summary's terms. */
        List<List<String>> counted() {
            List<String> statusRow = List.of("status", status);
            List<String> sourceRow = List.of("source", source);
            List<String> kindRow = List.of("kind", kind);
            return host == null ? List.of(statusRow, sourceRow, kindRow)
                    : List.of(statusRow, sourceRow, kindRow, List.of("host", host));
        }
    }

    /**
     * A task's part: the partition its jobs come from; its jobs' facets by key, in the stores' order
     * ({@link JobKeys#ORDER}); the names (in lower case) of those whose key does not contain it; its counts; and one
     * Facets object for each combination its jobs have (most jobs share theirs with many others).
     */
    public record Part(int partition, NavigableMap<String, Facets> jobs, Map<String, String> names,
            Map<List<String>, LongAdder> counts, Map<Facets, Facets> shared) {

        /**
         * The job's name in lower case, or null when its key (in lower case) already contains it or it has none, or
         * {@link #LONG_NAME} when it is longer than {@link #NAME_KEPT}.
         */
        public String nameOf(String key) {
            return names.get(key);
        }
    }

    private final Map<TaskId, Part> tasks = new ConcurrentHashMap<>();

    /** The longest name kept in memory: a hook may name its job with kilobytes of text. */
    static final int NAME_KEPT = 256;
    /**
     * What {@link Part#nameOf} answers for a name longer than {@link #NAME_KEPT}: not kept, so a search reads that
     * job's state (compared by identity).
     */
    public static final String LONG_NAME = new String("(a name too long to keep)");

    /** The counts of every task of this instance, by (field, value), in the summary's order. */
    public Map<List<String>, Long> counts() {
        Map<List<String>, Long> counts = new TreeMap<>(Comparator
                .comparing((List<String> k) -> k.get(0)).thenComparing(k -> k.get(1)));
        tasks.values().forEach(part -> part.counts().forEach((facet, count) -> {
            long value = count.sum();
            if (value != 0) {
                counts.merge(facet, value, Long::sum);
            }
        }));
        return counts;
    }

    /** How many jobs this instance holds: every job has exactly one status. */
    public long total() {
        return counts().entrySet().stream().filter(e -> e.getKey().get(0).equals("status"))
                .mapToLong(Map.Entry::getValue).sum();
    }

    /** The parts of this instance's tasks, as they are now (their jobs change while they are read). */
    public List<Part> parts() {
        return new ArrayList<>(tasks.values());
    }

    @Override
    public String name() {
        return "index";
    }

    @Override
    public void addTo(Topology topology, Topics topics, String jobs) {
        // Nothing of its own: it only counts and indexes.
    }

    @Override
    public Reaction start(ProcessorContext<String, Object> context, ReadOnlyKeyValueStore<String, JobState> jobs) {
        Part part = new Part(context.taskId().partition(), new ConcurrentSkipListMap<>(JobKeys.ORDER),
                new ConcurrentHashMap<>(), new ConcurrentHashMap<>(), new ConcurrentHashMap<>());
        TaskId task = context.taskId();
        return new Reaction() {
            @Override
            public void restored(String jobKey, JobState state) {
                put(part, jobKey, state);
            }

            @Override
            public void restoredAll() {
                // Answers the API only once it holds every job the task started with.
                tasks.put(task, part);
            }

            @Override
            public void changed(JobChange change) {
                // Most events change neither (a run's start, a success of a passing job): nothing to move then.
                JobState before = change.before();
                if (before == null || !Facets.of(before).equals(Facets.of(change.after()))
                        || !java.util.Objects.equals(before.getJobName(), change.after().getJobName())) {
                    put(part, change.jobKey(), change.after());
                }
            }

            @Override
            public void close() {
                tasks.remove(task, part);
            }
        };
    }

    private static void put(Part part, String key, JobState state) {
        Facets facets = part.shared().computeIfAbsent(Facets.of(state), f -> f);
        Facets before = part.jobs().put(key, facets);
        if (before != facets) {
            if (before != null) {
                before.counted().forEach(row -> part.counts().get(row).decrement());
            }
            facets.counted().forEach(row -> part.counts().computeIfAbsent(row, r -> new LongAdder()).increment());
        }
        String name = state.getJobName() == null ? null : state.getJobName().toLowerCase(Locale.ROOT);
        if (name == null || key.toLowerCase(Locale.ROOT).contains(name)) {
            part.names().remove(key);
        } else {
            String kept = name.length() > NAME_KEPT ? LONG_NAME : name;
            if (!kept.equals(part.names().get(key))) {
                // Under the key object the sorted map holds: a job's key once in memory.
                part.names().put(part.jobs().ceilingKey(key), kept);
            }
        }
    }
}
