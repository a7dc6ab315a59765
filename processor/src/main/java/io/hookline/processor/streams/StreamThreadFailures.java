package io.hookline.processor.streams;

import jakarta.inject.Singleton;

import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.jboss.logging.Logger;

import io.quarkus.runtime.Quarkus;

/**
 * What the processor does when Kafka Streams' thread fails with an exception nothing before it handled (a
 * punctuator's bug, a state store that cannot write, a producer error Kafka Streams does not recover from itself):
 * it stops with exit status 1, so that what runs it (Kubernetes, Docker's restart policy, systemd) starts it again.
 *
 * <p>Kafka Streams' own default stops its client and leaves the process up with nothing folded and no alert raised,
 * which under Docker Compose or systemd nothing notices. Starting a new thread instead (REPLACE_THREAD) was measured:
 * the failed thread's consumer stays in the group until its session expires, so nothing is folded for 45 s per
 * failure, while a restarted processor with its {@code hookline.instance-id} takes its partitions back at once. Either
 * way nothing is folded twice: with exactly-once, what the failed thread had not committed is rolled back. (A
 * counter of such failures would seldom be scraped before the process ends; the dashboard shows restarts instead.)
 */
@Singleton
public class StreamThreadFailures implements StreamsUncaughtExceptionHandler {

    private static final Logger LOG = Logger.getLogger(StreamThreadFailures.class);

    private final Runnable stop;

    StreamThreadFailures() {
        this(() -> Quarkus.asyncExit(1));
    }

    StreamThreadFailures(Runnable stop) {
        this.stop = stop;
    }

    @Override
    public StreamThreadExceptionResponse handle(Throwable failure) {
        LOG.errorf(failure, "Kafka Streams' thread failed: %s. The processor stops with exit status 1 so that what "
                + "runs it starts it again; it goes on from the last commit, and nothing is folded twice",
                rootCause(failure));
        stop.run();
        return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    }

    /** The innermost cause, by class and message: what went wrong beneath Kafka Streams' wrapping. */
    static String rootCause(Throwable failure) {
        Throwable root = failure;
        for (int depth = 0; root.getCause() != null && root.getCause() != root && depth < 20; depth++) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }
}
