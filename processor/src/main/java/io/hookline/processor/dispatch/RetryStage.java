package io.hookline.processor.dispatch;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

import io.hookline.processor.notify.Notification;
import io.hookline.processor.notify.Notifier;
import io.hookline.schema.DeliveryOutcome;

/**
 * Sends a notification through its receiver's channel until it is delivered, not worth retrying (the channel says
 * so), or out of the receiver's attempts: exponential backoff from {@code initial} to {@code max}, with jitter, and a
 * longer Retry-After wins. Every attempt goes to the {@link DeliveryLog}; the end to the {@link Ending}. Written
 * once for every channel, as Alertmanager's retry stage.
 *
 * <p>Attempts run on the sending threads, at most {@code perReceiver} at once for one receiver (a bulkhead): a
 * receiver that answers slowly, or not at all until its time-out, holds that many threads, never every one, so the
 * other receivers' notifications go on. The waits between attempts hold no thread.
 */
public final class RetryStage {

    private static final Logger LOG = Logger.getLogger(RetryStage.class);

    /** What becomes of a notification once it is done: given up (a dead letter) or delivered. */
    public interface Ending {
        /**
         * Keeps a notification given up on (as a dead letter); throws when it cannot be kept now (Kafka did not
         * confirm it), and is asked again later, the notification unfinished until then.
         */
        void gaveUp(Notification notification, int attempts, Notifier.Result last, Instant at) throws Exception;

        /**
         * Clears a notification delivered at last (from the dead letters, when it was one); throws when that cannot
         * be done now, and is asked again later, the notification unfinished until then.
         */
        void delivered(Notification notification) throws Exception;
    }

    /** One of the {@link Ending}'s two, as a step that may have to be taken again. */
    @FunctionalInterface
    private interface EndingStep {
        void take() throws Exception;
    }

    private final Map<String, Notifier> channels;
    private final DeliveryLog log;
    private final Ending ending;
    private final ScheduledExecutorService timer;
    private final Executor sending;
    private final int perReceiver;
    private final Duration initial;
    private final Duration max;
    private final Map<String, Lane> lanes = new ConcurrentHashMap<>();

    /**
     * {@code timer} waits out the backoffs; {@code sending} runs the attempts, at most {@code perReceiver} of them at
     * once for any one receiver.
     */
    public RetryStage(Map<String, Notifier> channels, DeliveryLog log, Ending ending, ScheduledExecutorService timer,
            Executor sending, int perReceiver, Duration initial, Duration max) {
        if (perReceiver < 1) {
            throw new IllegalArgumentException("at least one attempt at a time per receiver, not " + perReceiver);
        }
        this.channels = Map.copyOf(channels);
        this.log = log;
        this.ending = ending;
        this.timer = timer;
        this.sending = sending;
        this.perReceiver = perReceiver;
        this.initial = initial;
        this.max = max;
    }

    /** Starts sending; completes once the notification is delivered or given up. */
    public CompletableFuture<Void> send(Notification notification) {
        CompletableFuture<Void> finished = new CompletableFuture<>();
        lane(notification).submit(() -> attempt(notification, 1, finished));
        return finished;
    }

    private Lane lane(Notification notification) {
        return lanes.computeIfAbsent(notification.receiver().name(), name -> new Lane());
    }

    /** One receiver's attempts: at most {@link #perReceiver} on the sending threads, the others queued in order. */
    private final class Lane {
        private final ArrayDeque<Runnable> queued = new ArrayDeque<>();
        private int running;

        void submit(Runnable attempt) {
            synchronized (this) {
                if (running >= perReceiver) {
                    queued.add(attempt);
                    return;
                }
                running++;
            }
            start(attempt);
        }

        private void start(Runnable attempt) {
            try {
                sending.execute(() -> run(attempt));
            } catch (java.util.concurrent.RejectedExecutionException stopping) {
                synchronized (this) {
                    running--;
                }
            }
        }

        private void run(Runnable attempt) {
            try {
                attempt.run();
            } finally {
                Runnable next;
                synchronized (this) {
                    next = queued.poll();
                    if (next == null) {
                        running--;
                    }
                }
                if (next != null) {
                    start(next);
                }
            }
        }
    }

    private void attempt(Notification notification, int attempt, CompletableFuture<Void> finished) {
        Notifier.Result result;
        try {
            result = channels.get(notification.receiver().type()).send(notification);
        } catch (RuntimeException e) {
            result = Notifier.Result.retry(null, null, "channel error: " + e.getClass().getSimpleName());
        }
        Instant now = Instant.now();
        boolean again = result.retry() && attempt < notification.receiver().maxAttempts();
        Duration wait = again ? backoff(attempt, result.retryAfter()) : null;
        DeliveryOutcome outcome = result.delivered() ? DeliveryOutcome.DELIVERED
                : again ? DeliveryOutcome.RETRYING : DeliveryOutcome.GAVE_UP;
        log.record(notification, attempt, now, outcome, result, wait);
        if (again) {
            timer.schedule(() -> lane(notification).submit(() -> attempt(notification, attempt + 1, finished)),
                    wait.toMillis(), TimeUnit.MILLISECONDS);
            return;
        }
        if (outcome == DeliveryOutcome.GAVE_UP) {
            LOG.warnf("gave up notifying %s of %s after %d attempt(s): %s", notification.receiver(),
                    notification.groupKey(), attempt, result.message());
            Notifier.Result last = result;
            end(notification, "keep %s as a dead letter", "kept %s as a dead letter",
                    () -> ending.gaveUp(notification, attempt, last, now), finished, 1);
            return;
        }
        end(notification, "clear %s from the dead letters", "cleared %s from the dead letters",
                () -> ending.delivered(notification), finished, 1);
    }

    /** The longest wait between two tries of a notification's ending. */
    static final Duration END_AGAIN_AT_MOST = Duration.ofSeconds(30);

    /**
     * Takes a notification's ending (kept as a dead letter, or cleared from them once delivered) until it is taken:
     * the notification is finished (and its alert's offset may be committed) only then, so one that ends while Kafka
     * does not answer is kept or cleared once it does, or sent again after a restart, never dropped. Tried again with
     * the retries' backoff, at most every 30 s.
     */
    private void end(Notification notification, String what, String done, EndingStep step,
            CompletableFuture<Void> finished, int tries) {
        try {
            step.take();
        } catch (Exception e) {
            Duration wait = backoff(tries, null);
            wait = wait.compareTo(END_AGAIN_AT_MOST) > 0 ? END_AGAIN_AT_MOST : wait;
            if (tries == 1 || tries % 10 == 0) {
                LOG.errorf("cannot %s (receiver %s, try %d: %s); trying again, its alert stays unfinished until then",
                        what.formatted(notification.id()), notification.receiver().name(), tries, e.getMessage());
            }
            timer.schedule(() -> lane(notification).submit(() -> end(notification, what, done, step, finished,
                    tries + 1)), wait.toMillis(), TimeUnit.MILLISECONDS);
            return;
        }
        if (tries > 1) {
            LOG.infof("%s at try %d", done.formatted(notification.id()), tries);
        }
        finished.complete(null);
    }

    /** Exponential from the initial backoff, capped, with jitter; a longer Retry-After wins. */
    Duration backoff(int attempt, Duration retryAfter) {
        long base = initial.toMillis() << Math.min(attempt - 1, 20);
        long capped = Math.min(base, max.toMillis());
        long jittered = capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1);
        long wait = retryAfter == null ? jittered : Math.max(jittered, retryAfter.toMillis());
        return Duration.ofMillis(wait);
    }
}
