package io.hookline.processor.react;

import java.time.Duration;

import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.Punctuator;
import org.apache.kafka.streams.processor.api.ProcessorContext;

/**
 * Runs a task's check when the earliest key of its {@link DueIndex} falls due, instead of every check interval.
 * Kafka Streams commits after every wall-clock punctuation, whether it did anything or not, and a commit is an
 * exactly-once transaction: checks every 250 ms in each task kept an idle processor's stream thread and its producer
 * at 1.7 % of a core (and the broker writing transaction markers). The check still runs at most once every
 * {@code shortest} (the check interval), which bounds the checks while keys keep falling due, and at least once every
 * {@code longest}, for what the index cannot tell (rules reloaded meanwhile).
 */
public final class DueWakeup {

    private final ProcessorContext<?, ?> context;
    private final DueIndex index;
    private final long shortest;
    private final long longest;
    private final Punctuator check;
    private Cancellable scheduled;
    private long scheduledAt = Long.MAX_VALUE;
    private long lastCheck;

    /** Schedules the first check {@code shortest} from now; call from the task's init. */
    public DueWakeup(ProcessorContext<?, ?> context, DueIndex index, Duration shortest, Duration longest,
            Punctuator check) {
        this.context = context;
        this.index = index;
        this.shortest = Math.max(1, shortest.toMillis());
        this.longest = Math.max(this.shortest, longest.toMillis());
        this.check = check;
        this.lastCheck = context.currentSystemTimeMs();
        wakeBy(lastCheck + this.shortest);
        index.onPut(this::wakeBy);
    }

    /** Something falls due at {@code at} (epoch ms): the check runs then, or {@code shortest} after the last one. */
    private void wakeBy(long at) {
        long wanted = Math.max(at, lastCheck + shortest);
        if (wanted >= scheduledAt) {
            return;
        }
        if (scheduled != null) {
            scheduled.cancel();
        }
        scheduledAt = wanted;
        long in = Math.max(1, wanted - context.currentSystemTimeMs());
        scheduled = context.schedule(Duration.ofMillis(in), PunctuationType.WALL_CLOCK_TIME, this::wake);
    }

    /** Runs the check again as soon as {@code shortest} allows: for work a check left for the next one. */
    public void soon() {
        wakeBy(context.currentSystemTimeMs());
    }

    private void wake(long now) {
        // One punctuation per wake-up: the next is scheduled for what is due next.
        long intended = scheduledAt;
        scheduled.cancel();
        scheduled = null;
        scheduledAt = Long.MAX_VALUE;
        // The interval counts from when this check was due, not from when the stream thread came to it (after a
        // poll or a batch): a late check does not put off the next, as Kafka Streams keeps its own intervals on
        // their grid. A check later than a whole interval counts from now.
        lastCheck = intended + shortest >= now ? intended : now;
        try {
            check.punctuate(now);
        } finally {
            wakeBy(Math.min(index.earliest(), now + longest));
        }
    }
}
