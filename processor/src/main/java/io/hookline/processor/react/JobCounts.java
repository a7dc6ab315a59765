package io.hookline.processor.react;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.Topology;

import io.hookline.processor.state.JobStatus;
import io.hookline.schema.JobState;
import io.hookline.schema.topics.Topics;

/**
 * How many jobs this instance holds, by status, source, kind and host: what the dashboard's counts and filters show
 * on every refresh. Each task counts its jobs once when it starts (after its store is restored), then keeps the
 * counts as the fold changes a job, so that /api/jobs/summary and the first page of /api/jobs do not read and decode
 * every job's state (half a second with 100,000 jobs). A task that leaves this instance takes its counts along.
 */
public final class JobCounts implements Reactor {

    private final Map<TaskId, Map<List<String>, LongAdder>> tasks = new ConcurrentHashMap<>();

    /** The facets a job is counted under: its status, source, kind and host (when it has one). */
    static List<List<String>> facets(JobState state) {
        List<String> status = List.of("status", JobStatus.of(state));
        List<String> source = List.of("source", state.getSourceName());
        List<String> kind = List.of("kind", state.getSourceKind().name().toLowerCase(Locale.ROOT));
        return state.getHost() == null ? List.of(status, source, kind)
                : List.of(status, source, kind, List.of("host", state.getHost()));
    }

    /** The counts of every task of this instance, by (field, value), in the summary's order. */
    public Map<List<String>, Long> counts() {
        Map<List<String>, Long> counts = new TreeMap<>(java.util.Comparator
                .comparing((List<String> k) -> k.get(0)).thenComparing(k -> k.get(1)));
        tasks.values().forEach(task -> task.forEach((facet, count) -> {
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

    @Override
    public String name() {
        return "counts";
    }

    @Override
    public void addTo(Topology topology, Topics topics, String jobs) {
        // Nothing of its own: it only counts.
    }

    @Override
    public Reaction start(ProcessorContext<String, Object> context, ReadOnlyKeyValueStore<String, JobState> jobs) {
        Map<List<String>, LongAdder> counts = new ConcurrentHashMap<>();
        try (KeyValueIterator<String, JobState> all = jobs.all()) {
            all.forEachRemaining(entry -> count(counts, entry.value, 1));
        }
        TaskId task = context.taskId();
        tasks.put(task, counts);
        return new Reaction() {
            @Override
            public void changed(JobChange change) {
                if (change.before() != null) {
                    count(counts, change.before(), -1);
                }
                count(counts, change.after(), 1);
            }

            @Override
            public void close() {
                tasks.remove(task, counts);
            }
        };
    }

    private static void count(Map<List<String>, LongAdder> counts, JobState state, int by) {
        for (List<String> facet : facets(state)) {
            counts.computeIfAbsent(facet, f -> new LongAdder()).add(by);
        }
    }
}
