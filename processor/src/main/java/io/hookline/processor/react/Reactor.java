package io.hookline.processor.react;

import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import io.hookline.schema.JobState;
import io.hookline.schema.topics.Topics;

/**
 * What follows from a job's change of state, kept apart from the fold: alerts, chain triggers and retention's
 * prunes. The job task folds an event, then hands the change to every reactor; each has its own stores and output
 * topics, and everything commits in the task's one exactly-once transaction, fold included.
 *
 * <p>A reactor is added once to the topology ({@link #addTo}) and started once per task ({@link #start}); its
 * {@link Reaction} may also schedule punctuators on the context (deadlines as time passes).
 */
public interface Reactor {

    /** A short name, for the log and for the quarantine's stage when it fails on an event. */
    String name();

    /** Adds this reactor's state stores and sinks, connected to the job processor {@code jobs}. */
    void addTo(Topology topology, Topics topics, String jobs);

    /**
     * Binds to one task: its own stores from the context, the schedule, the sinks to forward to; {@code jobs} is the
     * task's job states, to read (deadlines look at every job).
     */
    Reaction start(ProcessorContext<String, Object> context, ReadOnlyKeyValueStore<String, JobState> jobs);

    /** A reactor bound to a task. */
    interface Reaction {
        /** Reacts to an event that changed a job (duplicates are not handed over), forwarding what follows. */
        void changed(JobChange change);

        /**
         * One of the task's jobs as its restored store holds it when the task starts, before the first event. The
         * job task reads its store once and hands every job to every reaction: a reaction that indexes the jobs
         * (the job list's facets, the deadlines) walks and decodes none of them itself.
         */
        default void restored(String jobKey, JobState state) {
        }

        /** Every job the store held at the task's start has been handed to {@link #restored}. */
        default void restoredAll() {
        }

        /** The task leaves this instance (a rebalance, a shutdown, an aborted transaction): let go of it. */
        default void close() {
        }
    }
}
