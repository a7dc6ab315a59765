package io.hookline.processor.dispatch;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

import io.hookline.processor.silences.Silences;
import io.hookline.runtime.topics.CompactedTopicView;
import io.hookline.schema.AlertEvent;
import io.hookline.schema.AlertStatus;

/**
 * A silence "until resolved" ends when its alert resolves: a listener of the alert feed of its own. An end Kafka does
 * not confirm is tried again (2 s, then twice as long, at most every 30 s) and the resolve stays unfinished until it is
 * made, so that a silence never outlives its alert to mute the next failure.
 */
final class SilenceExpiry implements AlertFeed.Listener, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(SilenceExpiry.class);
    static final Duration AGAIN_AT_MOST = Duration.ofSeconds(30);

    private final Silences silences;
    private final ScheduledExecutorService ending = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "hookline-silence-expiry");
        thread.setDaemon(true);
        return thread;
    });

    SilenceExpiry(Silences silences) {
        this.silences = silences;
    }

    @Override
    public CompletableFuture<Void> alert(AlertEvent alert) {
        if (alert.getStatus() != AlertStatus.RESOLVED || !silences.untilResolved(alert.getAlertKey())) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> ended = new CompletableFuture<>();
        // Not on the feed's thread: an end may wait 10 s for Kafka, and is tried again until it is made.
        submit(() -> end(alert, ended, 1), 0, ended);
        return ended;
    }

    private void end(AlertEvent alert, CompletableFuture<Void> ended, int tries) {
        try {
            silences.resolved(alert);
            if (tries > 1) {
                LOG.infof("ended the silences until %s resolved at try %d", alert.getAlertKey(), tries);
            }
            ended.complete(null);
        } catch (CompactedTopicView.NotConfirmed e) {
            long wait = Math.min(AGAIN_AT_MOST.toMillis(), 1_000L << Math.min(tries, 5));
            if (tries == 1 || tries % 10 == 0) {
                LOG.errorf("cannot end the silences until %s resolved (try %d: %s); trying again in %d ms", alert
                        .getAlertKey(), tries, e.getMessage(), wait);
            }
            submit(() -> end(alert, ended, tries + 1), wait, ended);
        }
    }

    private void submit(Runnable work, long delayMillis, CompletableFuture<Void> ended) {
        try {
            ending.schedule(work, delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            // Left unfinished: the resolve is read again after the restart.
        }
    }

    @Override
    public void close() {
        ending.shutdownNow();
    }
}
