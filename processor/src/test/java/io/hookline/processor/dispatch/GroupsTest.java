package io.hookline.processor.dispatch;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.hookline.processor.rules.Grouping;
import io.hookline.processor.notify.Messages;
import io.hookline.processor.notify.Notification;
import io.hookline.processor.notify.Receiver;
import io.hookline.processor.notify.webhook.WebhookConfig;
import io.hookline.schema.AlertCondition;
import io.hookline.schema.AlertEvent;
import io.hookline.schema.AlertStatus;
import io.hookline.schema.DeliveryOutcome;
import io.hookline.schema.Severity;
import io.hookline.schema.SourceKind;

/**
 * The grouping state machine on its own, with real timers (milliseconds): what a receiver is sent, in which
 * batches and in which order. The whole path through Kafka to a real receiver is in GroupingTest.
 */
class GroupsTest {

    static final Receiver RECEIVER = new Receiver("ops", "webhook", new WebhookConfig(java.net.URI.create("http://127.0.0.1:1/"), null),
            Duration.ofSeconds(1), 3, 1);
    static final Grouping BY_HOST = new Grouping(List.of("host"), false, Duration.ofMillis(300), Duration.ofMillis(600), null);

    final List<Notification> sent = new CopyOnWriteArrayList<>();
    final List<String> recordedMuted = new CopyOnWriteArrayList<>();
    final Set<String> silenced = ConcurrentHashMap.newKeySet();
    /** When set, sends do not finish until the test completes this future: a slow receiver. */
    volatile CompletableFuture<Void> slowReceiver;

    final Groups groups = new Groups(new Groups.Channel() {
        @Override
        public Muted muted(AlertEvent alert) {
            return silenced.contains(alert.getAlertKey()) ? new Muted(DeliveryOutcome.SILENCED, "silenced") : null;
        }

        @Override
        public void recordMuted(Notification notification, Muted muted) {
            recordedMuted.add(notification.lead().getAlertKey() + "#" + notification.lead().getSequence());
        }

        @Override
        public CompletableFuture<Void> send(Notification notification) {
            sent.add(notification);
            CompletableFuture<Void> slow = slowReceiver;
            return slow == null ? CompletableFuture.completedFuture(null) : slow;
        }
    });

    @AfterEach
    void close() {
        groups.close();
    }

    static AlertEvent alert(String jobKey, AlertStatus status, long sequence) {
        return alert(jobKey, status, sequence, Instant.parse("2026-11-22T02:00:00Z"));
    }

    /** A step of the alert's firing that began at {@code startsAt}. */
    static AlertEvent alert(String jobKey, AlertStatus status, long sequence, Instant startsAt) {
        String[] parts = jobKey.split("/");
        return AlertEvent.newBuilder()
                .setAlertKey(jobKey + "/failed")
                .setStatus(status)
                .setCondition(AlertCondition.FAILED)
                .setSeverity(Severity.CRITICAL)
                .setJobKey(jobKey)
                .setSourceName(parts[0])
                .setSourceKind(SourceKind.XSIBACKUP)
                .setHost(parts[1])
                .setJob(parts[2])
                .setSummary(jobKey + (status == AlertStatus.RESOLVED ? " recovered" : " failed"))
                .setStartsAt(startsAt)
                .setUpdatedAt(Instant.now())
                .setSequence(sequence)
                .build();
    }

    static List<String> keys(Notification notification) {
        return notification.alerts().stream().map(a -> a.getAlertKey() + ":" + a.getStatus()).toList();
    }

    @Test
    void withoutGroupingEveryStepIsSentAtOnceAndInOrder() {
        groups.add(RECEIVER, Grouping.NONE, alert("esxi/nas1/a", AlertStatus.FIRING, 0));
        groups.add(RECEIVER, Grouping.NONE, alert("esxi/nas1/a", AlertStatus.REPEATED, 1));
        groups.add(RECEIVER, Grouping.NONE, alert("esxi/nas1/a", AlertStatus.RESOLVED, 2));

        await().atMost(Duration.ofSeconds(5)).until(() -> sent.size() == 3);
        assertEquals(List.of(List.of("esxi/nas1/a/failed:FIRING"), List.of("esxi/nas1/a/failed:REPEATED"),
                List.of("esxi/nas1/a/failed:RESOLVED")), sent.stream().map(GroupsTest::keys).toList());
        assertEquals("esxi/nas1/a/failed", sent.get(0).groupKey());
        assertEquals(3, sent.stream().map(Notification::id).distinct().count());
        await().atMost(Duration.ofSeconds(5)).until(() -> groups.size() == 0);
    }

    @Test
    void withoutGroupingASentAlertLeavesNothingBehindAndItsLaterStepsStillGoOut() {
        groups.add(RECEIVER, Grouping.NONE, alert("esxi/nas1/a", AlertStatus.FIRING, 0));
        await().atMost(Duration.ofSeconds(5)).until(() -> sent.size() == 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> groups.size() == 0);

        groups.add(RECEIVER, Grouping.NONE, alert("esxi/nas1/a", AlertStatus.REPEATED, 1));
        groups.add(RECEIVER, Grouping.NONE, alert("esxi/nas1/a", AlertStatus.RESOLVED, 2));
        await().atMost(Duration.ofSeconds(5)).until(() -> sent.size() == 3);
        assertEquals(List.of(List.of("esxi/nas1/a/failed:REPEATED"), List.of("esxi/nas1/a/failed:RESOLVED")),
                sent.subList(1, 3).stream().map(GroupsTest::keys).toList());
        await().atMost(Duration.ofSeconds(5)).until(() -> groups.size() == 0);

        // A silenced alert that was never sent stays known, so that its resolve is not sent either.
        silenced.add("esxi/nas1/b/failed");
        groups.add(RECEIVER, Grouping.NONE, alert("esxi/nas1/b", AlertStatus.FIRING, 0));
        await().atMost(Duration.ofSeconds(5)).until(() -> recordedMuted.size() == 1);
        assertEquals(1, groups.size());
        groups.add(RECEIVER, Grouping.NONE, alert("esxi/nas1/b", AlertStatus.RESOLVED, 1));
        await().atMost(Duration.ofSeconds(5)).until(() -> groups.size() == 0);
        assertEquals(3, sent.size(), "b was never sent: nothing to resolve");
    }

    @Test
    void withoutGroupingTheResolveOfASentAlertGoesOutThoughItWasForgottenAndThenSilenced() {
        groups.add(RECEIVER, Grouping.NONE, alert("esxi/nas1/a", AlertStatus.FIRING, 0));
        await().atMost(Duration.ofSeconds(5)).until(() -> sent.size() == 1 && groups.size() == 0);

        silenced.add("esxi/nas1/a/failed");
        groups.add(RECEIVER, Grouping.NONE, alert("esxi/nas1/a", AlertStatus.REPEATED, 1));
        await().atMost(Duration.ofSeconds(5)).until(() -> recordedMuted.size() == 1);
        groups.add(RECEIVER, Grouping.NONE, alert("esxi/nas1/a", AlertStatus.RESOLVED, 2));
        await().atMost(Duration.ofSeconds(5)).until(() -> sent.size() == 2);
        assertEquals(List.of("esxi/nas1/a/failed:RESOLVED"), keys(sent.get(1)), "the receiver had its firing");
        await().atMost(Duration.ofSeconds(5)).until(() -> groups.size() == 0);
    }

    @Test
    void anAlertThatFiresAgainBeforeItsResolveWasSentIsNotSentAsResolved() {
        Instant first = Instant.parse("2026-11-22T02:00:00Z");
        groups.add(RECEIVER, BY_HOST, alert("esxi/nas1/a", AlertStatus.FIRING, 0, first));
        await().atMost(Duration.ofSeconds(5)).until(() -> sent.size() == 1);

        // Resolved, and failing again within group-interval: the new firing starts its steps anew. The receiver
        // still has the first firing open, and the alert fires: nothing to send, least of all a resolve.
        groups.add(RECEIVER, BY_HOST, alert("esxi/nas1/a", AlertStatus.RESOLVED, 1, first));
        groups.add(RECEIVER, BY_HOST, alert("esxi/nas1/a", AlertStatus.FIRING, 0, first.plusSeconds(3600)));
        await().during(Duration.ofMillis(1_500)).atMost(Duration.ofSeconds(3)).until(() -> sent.size() == 1);

        groups.add(RECEIVER, BY_HOST, alert("esxi/nas1/a", AlertStatus.REPEATED, 1, first.plusSeconds(3600)));
        await().atMost(Duration.ofSeconds(5)).until(() -> sent.size() == 2);
        assertEquals(List.of("esxi/nas1/a/failed:REPEATED"), keys(sent.get(1)));
    }

    @Test
    void aNewFiringsStepIsSentThoughItHasTheNumberOfOneSentOfTheFiringBefore() {
        Grouping slowly = new Grouping(List.of("host"), false, Duration.ofMillis(300), Duration.ofSeconds(2), null);
        Instant first = Instant.parse("2026-11-22T02:00:00Z");
        Instant again = first.plusSeconds(3600);
        groups.add(RECEIVER, slowly, alert("esxi/nas1/a", AlertStatus.FIRING, 0, first));
        await().atMost(Duration.ofSeconds(5)).until(() -> sent.size() == 1);
        groups.add(RECEIVER, slowly, alert("esxi/nas1/a", AlertStatus.REPEATED, 1, first));
        await().atMost(Duration.ofSeconds(5)).until(() -> sent.size() == 2);

        // Within group-interval it resolves and fails again (nothing to send), then fails once more: that step is
        // the new firing's 1, as the one sent last was the old firing's 1. It is news to the receiver all the same.
        groups.add(RECEIVER, slowly, alert("esxi/nas1/a", AlertStatus.RESOLVED, 2, first));
        groups.add(RECEIVER, slowly, alert("esxi/nas1/a", AlertStatus.FIRING, 0, again));
        groups.add(RECEIVER, slowly, alert("esxi/nas1/a", AlertStatus.REPEATED, 1, again));
        await().atMost(Duration.ofSeconds(5)).until(() -> sent.size() == 3);
        assertEquals(List.of("esxi/nas1/a/failed:REPEATED"), keys(sent.get(2)));
        assertEquals(again, sent.get(2).alerts().get(0).getStartsAt(), "the new firing's step");
    }

    @Test
    void alertsOfOneHostArriveAsOneMessageAfterGroupWaitAndChangesAtMostEveryGroupInterval() throws Exception {
        CompletableFuture<Void> a = groups.add(RECEIVER, BY_HOST, alert("esxi/nas1/a", AlertStatus.FIRING, 0));
        groups.add(RECEIVER, BY_HOST, alert("esxi/nas1/b", AlertStatus.FIRING, 0));
        groups.add(RECEIVER, BY_HOST, alert("esxi/nas2/c", AlertStatus.FIRING, 0));
        groups.add(RECEIVER, BY_HOST, alert("esxi/nas1/d", AlertStatus.FIRING, 0));

        await().atMost(Duration.ofSeconds(5)).until(() -> sent.size() == 2);
        assertTrue(a.isDone(), "a step is settled once its message is delivered");
        Notification nas1 = sent.stream().filter(n -> n.groupLabels().equals(Map.of("host", "nas1"))).findFirst().orElseThrow();
        assertEquals(List.of("esxi/nas1/a/failed:FIRING", "esxi/nas1/b/failed:FIRING", "esxi/nas1/d/failed:FIRING"), keys(nas1));
        assertEquals("ops{host=nas1}", nas1.groupKey());
        assertEquals("FIRING 3 alerts [host=nas1]: critical failed: esxi/nas1/a failed (+2 more)", Messages.headline(nas1));

        // Two recover at once: one message, after group-interval, with what still fires and what resolved.
        Instant before = Instant.now();
        groups.add(RECEIVER, BY_HOST, alert("esxi/nas1/a", AlertStatus.RESOLVED, 1));
        groups.add(RECEIVER, BY_HOST, alert("esxi/nas1/b", AlertStatus.RESOLVED, 1));
        await().atMost(Duration.ofSeconds(5)).until(() -> sent.size() == 3);
        Notification change = sent.get(2);
        assertEquals(List.of("esxi/nas1/d/failed:FIRING", "esxi/nas1/a/failed:RESOLVED", "esxi/nas1/b/failed:RESOLVED"),
                keys(change));
        assertEquals("ops{host=nas1}", change.groupKey());
        assertTrue(Duration.between(before, Instant.now()).toMillis() >= 300, "held back until group-interval");
        assertEquals("FIRING 1 alert, 2 resolved [host=nas1]: critical failed: esxi/nas1/d failed (+2 more)",
                Messages.headline(change));

        groups.add(RECEIVER, BY_HOST, alert("esxi/nas1/d", AlertStatus.RESOLVED, 1));
        await().atMost(Duration.ofSeconds(5)).until(() -> sent.size() == 4);
        assertEquals(List.of("esxi/nas1/d/failed:RESOLVED"), keys(sent.get(3)));
        assertEquals(AlertStatus.RESOLVED, sent.get(3).status());
    }

    @Test
    void aGroupThatStillFiresIsSentAgainEveryRepeatIntervalWithANewId() {
        Grouping repeating = new Grouping(List.of("host"), false, Duration.ofMillis(50), Duration.ofMillis(50),
                Duration.ofMillis(400));
        groups.add(RECEIVER, repeating, alert("esxi/nas1/a", AlertStatus.FIRING, 0));

        await().atMost(Duration.ofSeconds(5)).until(() -> sent.size() == 3);
        assertEquals(keys(sent.get(0)), keys(sent.get(1)));
        assertEquals(keys(sent.get(1)), keys(sent.get(2)));
        assertEquals(3, sent.stream().map(Notification::id).distinct().count(), "a receiver that drops repeated ids shows reminders");

        groups.add(RECEIVER, repeating, alert("esxi/nas1/a", AlertStatus.RESOLVED, 1));
        await().atMost(Duration.ofSeconds(5)).until(() -> sent.stream().anyMatch(n -> n.status() == AlertStatus.RESOLVED));
        await().atMost(Duration.ofSeconds(5)).until(() -> groups.size() == 0);
    }

    @Test
    void aSilencedAlertIsLeftOutButTheResolveOfOneThatWasSentAlwaysGoesOut() {
        groups.add(RECEIVER, BY_HOST, alert("esxi/nas1/a", AlertStatus.FIRING, 0));
        await().atMost(Duration.ofSeconds(5)).until(() -> sent.size() == 1);

        // Silenced from now on: a was sent before the silence, b never was.
        silenced.addAll(Set.of("esxi/nas1/a/failed", "esxi/nas1/b/failed"));
        groups.add(RECEIVER, BY_HOST, alert("esxi/nas1/a", AlertStatus.REPEATED, 1));
        groups.add(RECEIVER, BY_HOST, alert("esxi/nas1/b", AlertStatus.FIRING, 0));
        await().atMost(Duration.ofSeconds(5)).until(() -> recordedMuted.size() == 2);
        assertEquals(Set.of("esxi/nas1/a/failed#1", "esxi/nas1/b/failed#0"), Set.copyOf(recordedMuted));

        groups.add(RECEIVER, BY_HOST, alert("esxi/nas1/a", AlertStatus.RESOLVED, 2));
        groups.add(RECEIVER, BY_HOST, alert("esxi/nas1/b", AlertStatus.RESOLVED, 1));
        await().atMost(Duration.ofSeconds(5)).until(() -> sent.size() == 2);
        assertEquals(List.of("esxi/nas1/a/failed:RESOLVED"), keys(sent.get(1)), "b was never sent: nothing to resolve");
        await().atMost(Duration.ofSeconds(5)).until(() -> groups.size() == 0);
        assertEquals(2, sent.size());
    }

    @Test
    void aSilencedAlertIsRecordedAsMutedOnceThoughItsGroupIsRemindedOfAgainAndAgain() {
        Grouping repeating = new Grouping(List.of("host"), false, Duration.ofMillis(50), Duration.ofMillis(50),
                Duration.ofMillis(300));
        silenced.add("esxi/nas1/b/failed");
        groups.add(RECEIVER, repeating, alert("esxi/nas1/a", AlertStatus.FIRING, 0));
        groups.add(RECEIVER, repeating, alert("esxi/nas1/b", AlertStatus.FIRING, 0));

        await().atMost(Duration.ofSeconds(5)).until(() -> sent.size() == 4);
        assertEquals(List.of("esxi/nas1/a/failed:FIRING"), keys(sent.get(3)), "the reminder leaves the silenced b out");
        assertEquals(List.of("esxi/nas1/b/failed#0"), List.copyOf(recordedMuted), "b recorded once, not per reminder");

        // A new step of b, still silenced, is recorded once more.
        groups.add(RECEIVER, repeating, alert("esxi/nas1/b", AlertStatus.REPEATED, 1));
        await().atMost(Duration.ofSeconds(5)).until(() -> recordedMuted.size() == 2);
        await().atMost(Duration.ofSeconds(5)).until(() -> sent.size() >= 6);
        assertEquals(List.of("esxi/nas1/b/failed#0", "esxi/nas1/b/failed#1"), List.copyOf(recordedMuted));
    }

    @Test
    void aSilencedAlertThatFiresAgainBeforeItsResolveWentOutIsRecordedAsMutedAgain() {
        Grouping slowly = new Grouping(List.of("host"), false, Duration.ofMillis(300), Duration.ofSeconds(2), null);
        Instant first = Instant.parse("2026-11-22T02:00:00Z");
        silenced.add("esxi/nas1/b/failed");
        groups.add(RECEIVER, slowly, alert("esxi/nas1/a", AlertStatus.FIRING, 0, first));
        groups.add(RECEIVER, slowly, alert("esxi/nas1/b", AlertStatus.FIRING, 0, first));
        await().atMost(Duration.ofSeconds(5)).until(() -> sent.size() == 1 && recordedMuted.size() == 1);

        // Within group-interval b resolves and fails again: a new firing, its steps numbered from 0 again, muted
        // too. The deliveries record shows it as well, though its step has the number of the one recorded before.
        groups.add(RECEIVER, slowly, alert("esxi/nas1/b", AlertStatus.RESOLVED, 1, first));
        groups.add(RECEIVER, slowly, alert("esxi/nas1/b", AlertStatus.FIRING, 0, first.plusSeconds(3600)));
        await().atMost(Duration.ofSeconds(5)).until(() -> recordedMuted.size() == 2);
        assertEquals(List.of("esxi/nas1/b/failed#0", "esxi/nas1/b/failed#0"), List.copyOf(recordedMuted));
        assertEquals(List.of(List.of("esxi/nas1/a/failed:FIRING")), sent.stream().map(GroupsTest::keys).toList(),
                "b muted throughout: never sent");
    }

    @Test
    void aSlowReceiverGetsTheResolveOnlyAfterTheFiringIsFinished() {
        CompletableFuture<Void> firingRetries = new CompletableFuture<>();
        slowReceiver = firingRetries;
        groups.add(RECEIVER, Grouping.NONE, alert("esxi/nas1/a", AlertStatus.FIRING, 0));
        await().atMost(Duration.ofSeconds(5)).until(() -> sent.size() == 1);
        slowReceiver = null;
        CompletableFuture<Void> resolve = groups.add(RECEIVER, Grouping.NONE, alert("esxi/nas1/a", AlertStatus.RESOLVED, 1));

        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> sent.size() == 1);
        assertTrue(!resolve.isDone());
        firingRetries.complete(null);
        await().atMost(Duration.ofSeconds(5)).until(() -> sent.size() == 2 && resolve.isDone());
        assertEquals(List.of("esxi/nas1/a/failed:RESOLVED"), keys(sent.get(1)));
        assertNotEquals(sent.get(0).id(), sent.get(1).id());
    }

    @Test
    void theResolveOfAnAlertThatFiredBeforeARestartIsSent() {
        // A fresh processor: it never saw this alert fire, but a receiver may hold an incident for it.
        groups.add(RECEIVER, BY_HOST, alert("esxi/nas1/a", AlertStatus.RESOLVED, 3));
        await().atMost(Duration.ofSeconds(5)).until(() -> sent.size() == 1);
        assertEquals(List.of("esxi/nas1/a/failed:RESOLVED"), keys(sent.get(0)));
        assertEquals("RESOLVED 1 alert [host=nas1]: critical failed: esxi/nas1/a recovered", Messages.headline(sent.get(0)));
    }

    @Test
    void anAlertKnownFromBeforeARestartIsRemindedOfAndItsResolveIsSent() {
        Grouping repeating = new Grouping(List.of(), true, Duration.ZERO, Duration.ZERO, Duration.ofMillis(300));
        groups.seed(RECEIVER, repeating, alert("esxi/nas1/a", AlertStatus.FIRING, 0));
        await().atMost(Duration.ofSeconds(5)).until(() -> sent.size() == 1);
        assertEquals(List.of("esxi/nas1/a/failed:FIRING"), keys(sent.get(0)));

        groups.add(RECEIVER, repeating, alert("esxi/nas1/a", AlertStatus.RESOLVED, 1));
        await().atMost(Duration.ofSeconds(5)).until(() -> sent.size() == 2);
        assertEquals(List.of("esxi/nas1/a/failed:RESOLVED"), keys(sent.get(1)));
    }
}
