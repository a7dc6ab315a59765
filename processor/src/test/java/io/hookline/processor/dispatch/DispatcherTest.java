package io.hookline.processor.dispatch;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.hookline.processor.notify.Notification;
import io.hookline.processor.rules.Rules;
import io.hookline.schema.AlertEvent;
import io.hookline.schema.AlertStatus;

/** Routing on its own: which receivers an alert step reaches, and reminders of what fired before a restart. */
class DispatcherTest {

    final List<Notification> sent = new CopyOnWriteArrayList<>();
    final Groups groups = new Groups(new Groups.Channel() {
        @Override
        public Muted muted(AlertEvent alert) {
            return null;
        }

        @Override
        public void recordMuted(Notification notification, Muted muted) {
        }

        @Override
        public CompletableFuture<Void> send(Notification notification) {
            sent.add(notification);
            return CompletableFuture.completedFuture(null);
        }
    });

    @AfterEach
    void close() {
        groups.close();
    }

    Dispatcher dispatcher(Rules rules) {
        return new Dispatcher(() -> rules, groups, new Inhibitor(() -> rules, List::of));
    }

    static Rules rules(String repeat) throws Exception {
        return Rules.parse("""
                receivers:
                  - {name: pager, type: pagerduty, routing-key: R0123}
                  - {name: chat, type: slack, url: "https://hooks.slack.example/T0/B0/x"}
                  - {name: log, type: console}
                routes:
                  - {match: {host: nas1}, receiver: pager, continue: true, repeat-interval: %s}
                  - {match: {severity: critical}, receiver: chat}
                  - {receiver: log}
                """.formatted(repeat));
    }

    @Test
    void aStepReachesEveryReceiverItsRoutesChooseOnce() throws Exception {
        dispatcher(rules("never")).alert(GroupsTest.alert("esxi/nas1/a", AlertStatus.FIRING, 0)).get();
        dispatcher(rules("never")).alert(GroupsTest.alert("esxi/nas2/b", AlertStatus.FIRING, 0)).get();

        await().atMost(Duration.ofSeconds(5)).until(() -> sent.size() == 3);
        List<String> reached = sent.stream().map(n -> n.lead().getJobKey() + " -> " + n.receiver().name()).sorted().toList();
        assertEquals(List.of("esxi/nas1/a -> chat", "esxi/nas1/a -> pager", "esxi/nas2/b -> chat"), reached);
    }

    @Test
    void whatFiredBeforeARestartIsRemindedOfAfterItsRepeatIntervalWithoutANewStep() throws Exception {
        Instant started = Instant.now();
        dispatcher(rules("1s")).firingBefore(List.of(GroupsTest.alert("esxi/nas1/a", AlertStatus.FIRING, 0)));

        await().atMost(Duration.ofSeconds(10)).until(() -> !sent.isEmpty());
        assertEquals("pager", sent.get(0).receiver().name(), "only the route that repeats reminds");
        assertEquals(true, Duration.between(started, Instant.now()).toMillis() >= 900, "not before the repeat-interval");
    }
}
