package io.hookline.processor.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.hookline.processor.notify.Notification;
import io.hookline.processor.notify.Notifier;
import io.hookline.processor.notify.Receiver;
import io.hookline.processor.notify.webhook.WebhookConfig;
import io.hookline.schema.AlertStatus;

/** The retry loop on its own, with a channel that answers as told: what the delivery log and the ending see. */
class RetryStageTest {

    static final Receiver RECEIVER = new Receiver("ops", "webhook", new WebhookConfig(URI.create("http://127.0.0.1:1/"), null),
            Duration.ofSeconds(1), 3, 1);

    final ScheduledExecutorService timer = Executors.newScheduledThreadPool(1);
    final ExecutorService sending = Executors.newFixedThreadPool(4);
    final List<String> log = new CopyOnWriteArrayList<>();
    final List<String> endings = new CopyOnWriteArrayList<>();
    final RetryStage.Ending ending = new RetryStage.Ending() {
        @Override
        public void gaveUp(Notification notification, int attempts, Notifier.Result last, Instant at) {
            endings.add("gave up after " + attempts + ": " + last.message());
        }

        @Override
        public void delivered(Notification notification) {
            endings.add("delivered");
        }
    };

    @AfterEach
    void stop() {
        timer.shutdownNow();
        sending.shutdownNow();
    }

    RetryStage stage(Notifier channel) {
        return new RetryStage(Map.of("webhook", channel), (notification, attempt, at, outcome, result, wait) ->
                log.add(attempt + " " + outcome + (wait == null ? "" : " then wait")), ending, timer,
                sending, 2, Duration.ofMillis(10), Duration.ofMillis(40));
    }

    static Notifier answering(List<Notifier.Result> answers, AtomicInteger calls) {
        return webhook(notification -> answers.get(Math.min(calls.getAndIncrement(), answers.size() - 1)));
    }

    /** A webhook channel that answers each notification as {@code answer} says. */
    static Notifier webhook(java.util.function.Function<Notification, Notifier.Result> answer) {
        return new Notifier() {
            @Override
            public String type() {
                return "webhook";
            }

            @Override
            public Result send(Notification notification) {
                return answer.apply(notification);
            }
        };
    }

    @Test
    void aRetryableFailureIsTriedAgainUntilDelivered() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        stage(answering(List.of(Notifier.Result.ofHttp(503, null, "busy"), Notifier.Result.ofHttp(200, null, "")), calls))
                .send(Notification.of(RECEIVER, "k", Map.of(), List.of(GroupsTest.alert("esxi/nas1/a", AlertStatus.FIRING, 0))))
                .get(5, TimeUnit.SECONDS);
        assertEquals(List.of("1 RETRYING then wait", "2 DELIVERED"), log);
        assertEquals(List.of("delivered"), endings);
    }

    @Test
    void outOfAttemptsOrNotWorthRetryingEndsAsADeadLetter() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        stage(answering(List.of(Notifier.Result.ofHttp(500, null, "down")), calls))
                .send(Notification.of(RECEIVER, "k", Map.of(), List.of(GroupsTest.alert("esxi/nas1/a", AlertStatus.FIRING, 0))))
                .get(5, TimeUnit.SECONDS);
        assertEquals(List.of("1 RETRYING then wait", "2 RETRYING then wait", "3 GAVE_UP"), log);
        assertEquals(List.of("gave up after 3: HTTP 500: down"), endings);

        log.clear();
        endings.clear();
        stage(answering(List.of(Notifier.Result.ofHttp(410, null, "")), new AtomicInteger()))
                .send(Notification.of(RECEIVER, "k", Map.of(), List.of(GroupsTest.alert("esxi/nas1/a", AlertStatus.FIRING, 0))))
                .get(5, TimeUnit.SECONDS);
        assertEquals(List.of("1 GAVE_UP"), log);
        assertTrue(endings.get(0).contains("the receiver is gone"), endings.toString());
    }

    @Test
    void aDeadLetterThatCannotBeKeptIsTriedAgainAndTheNotificationIsFinishedOnlyOnceItIs() throws Exception {
        AtomicInteger tries = new AtomicInteger();
        RetryStage.Ending unsure = new RetryStage.Ending() {
            @Override
            public void gaveUp(Notification notification, int attempts, Notifier.Result last, Instant at) throws Exception {
                if (tries.incrementAndGet() < 3) {
                    throw new IllegalStateException("Kafka did not confirm the write (try " + tries.get() + ")");
                }
                endings.add("kept after " + attempts + " attempts, at try " + tries.get());
            }

            @Override
            public void delivered(Notification notification) {
                endings.add("delivered");
            }
        };
        java.util.concurrent.CompletableFuture<Void> finished = new RetryStage(Map.of("webhook",
                answering(List.of(Notifier.Result.ofHttp(500, null, "down")), new AtomicInteger())),
                (notification, attempt, at, outcome, result, wait) -> log.add(attempt + " " + outcome), unsure, timer,
                sending, 2, Duration.ofMillis(200), Duration.ofMillis(400))
                .send(Notification.of(RECEIVER, "k", Map.of(), List.of(GroupsTest.alert("esxi/nas1/a", AlertStatus.FIRING, 0))));
        org.awaitility.Awaitility.await("the first try to keep it").atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(5)).until(() -> tries.get() >= 1);
        assertTrue(!finished.isDone(), "finished (its alert committed) before it was kept");
        finished.get(10, TimeUnit.SECONDS);
        assertEquals(3, tries.get());
        assertEquals(List.of("kept after 3 attempts, at try 3"), endings);
        assertEquals(List.of("1 RETRYING", "2 RETRYING", "3 GAVE_UP"), log, "each attempt recorded once");
    }

    @Test
    void aChannelThatThrowsIsRetriedNotLost() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Notifier throwing = webhook(notification -> {
            if (calls.getAndIncrement() == 0) {
                throw new IllegalStateException("boom");
            }
            return Notifier.Result.delivered(200);
        });
        stage(throwing).send(Notification.of(RECEIVER, "k", Map.of(), List.of(GroupsTest.alert("esxi/nas1/a", AlertStatus.FIRING, 0))))
                .get(5, TimeUnit.SECONDS);
        assertEquals(List.of("1 RETRYING then wait", "2 DELIVERED"), log);
    }

    @Test
    void aReceiverThatHangsHoldsItsOwnShareOfTheSendingThreadsAndTheOthersGoOn() throws Exception {
        Receiver slow = new Receiver("slow", "webhook", RECEIVER.config(), Duration.ofSeconds(1), 3, 2);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        AtomicInteger slowAtOnce = new AtomicInteger();
        AtomicInteger slowMostAtOnce = new AtomicInteger();
        Notifier channel = webhook(notification -> {
            if (notification.receiver().name().equals("slow")) {
                slowMostAtOnce.accumulateAndGet(slowAtOnce.incrementAndGet(), Math::max);
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    slowAtOnce.decrementAndGet();
                }
            }
            return Notifier.Result.delivered(204);
        });
        RetryStage stage = stage(channel);
        List<java.util.concurrent.CompletableFuture<Void>> toSlow = new java.util.ArrayList<>();
        for (int i = 0; i < 6; i++) {
            toSlow.add(stage.send(Notification.of(slow, "s" + i, Map.of(),
                    List.of(GroupsTest.alert("esxi/nas1/s" + i, AlertStatus.FIRING, 0)))));
        }
        // The receiver that hangs takes its share, two threads, as soon as they get to run (on a busy machine that
        // may be after a while); the others' notifications are all sent while those two hang.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (slowAtOnce.get() < 2 && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(5);
        }
        assertEquals(2, slowAtOnce.get(), "the receiver that hangs holds two sending threads");
        for (int i = 0; i < 20; i++) {
            stage.send(Notification.of(RECEIVER, "k" + i, Map.of(),
                    List.of(GroupsTest.alert("esxi/nas1/k" + i, AlertStatus.FIRING, 0)))).get(5, TimeUnit.SECONDS);
        }
        assertEquals(2, slowMostAtOnce.get(), "two of the four sending threads at most for the receiver that hangs");
        assertTrue(toSlow.stream().noneMatch(java.util.concurrent.CompletableFuture::isDone));

        release.countDown();
        java.util.concurrent.CompletableFuture.allOf(toSlow.toArray(java.util.concurrent.CompletableFuture[]::new))
                .get(5, TimeUnit.SECONDS);
        assertEquals(26, endings.stream().filter("delivered"::equals).count(), "the queued ones are sent once it answers");
    }

    @Test
    void backoffGrowsIsCappedAndHonoursALongerRetryAfter() {
        RetryStage stage = stage(answering(List.of(Notifier.Result.delivered(200)), new AtomicInteger()));
        for (int i = 0; i < 50; i++) {
            long first = stage.backoff(1, null).toMillis();
            long late = stage.backoff(10, null).toMillis();
            assertTrue(first >= 5 && first <= 10, "first " + first);
            assertTrue(late >= 20 && late <= 40, "capped " + late);
        }
        assertEquals(Duration.ofSeconds(30), stage.backoff(1, Duration.ofSeconds(30)));
    }
}
