package io.hookline.processor.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;

import org.junit.jupiter.api.Test;

import io.hookline.processor.rules.Rules;
import io.hookline.schema.AlertEvent;
import io.hookline.schema.AlertStatus;
import io.hookline.schema.DeliveryOutcome;

/**
 * The inhibitor on its own: what fires is the newest step of each alert, whether hookline.alerts (the callback it
 * is handed to follow) or the dispatcher's own steps brought it first.
 */
class InhibitorTest {

    static final String HOSTCHECK_MUTES_JOBS = """
            inhibit:
              - source: {job: "*/hostcheck"}
                target: {job: "*"}
                equal: [host]
            """;

    /** The callback the inhibitor asked to have hookline.alerts read into; null until it asked. */
    final AtomicReference<BiConsumer<String, AlertEvent>> topic = new AtomicReference<>();
    Rules rules;

    Inhibitor inhibitor(String yaml) throws Exception {
        rules = Rules.parse(yaml);
        return new Inhibitor(() -> rules, topic::set);
    }

    void onTopic(AlertEvent alert) {
        topic.get().accept(alert.getAlertKey(), alert);
    }

    static AlertEvent firing(String jobKey, long sequence) {
        return GroupsTest.alert(jobKey, AlertStatus.FIRING, sequence);
    }

    static AlertEvent resolved(String jobKey, long sequence, Instant at) {
        AlertEvent alert = GroupsTest.alert(jobKey, AlertStatus.RESOLVED, sequence);
        alert.setUpdatedAt(at);
        return alert;
    }

    @Test
    void aFiringHostCheckMutesTheJobsOfItsHostOnly() throws Exception {
        Inhibitor inhibitor = inhibitor(HOSTCHECK_MUTES_JOBS);
        onTopic(firing("esxi/nas1/hostcheck", 0));

        var muted = inhibitor.muted(firing("esxi/nas1/db", 0), Instant.now());
        assertEquals(DeliveryOutcome.INHIBITED, muted.orElseThrow().outcome());
        assertTrue(muted.get().message().startsWith("inhibited while esxi/nas1/hostcheck/failed fires: "
                + "esxi/nas1/hostcheck failed"), muted.get().message());
        assertTrue(inhibitor.muted(firing("esxi/nas2/db", 0), Instant.now()).isEmpty());
        assertTrue(inhibitor.muted(GroupsTest.alert("esxi/nas1/db", AlertStatus.RESOLVED, 1), Instant.now()).isEmpty(),
                "a resolve is never muted");
        assertTrue(inhibitor.muted(firing("esxi/nas1/hostcheck", 0), Instant.now()).isEmpty(),
                "an alert does not mute itself");
    }

    @Test
    void aResolveItSawEndsTheInhibitionBeforeTheTopicHasIt() throws Exception {
        Inhibitor inhibitor = inhibitor(HOSTCHECK_MUTES_JOBS);
        onTopic(firing("esxi/nas1/hostcheck", 0));
        inhibitor.saw(resolved("esxi/nas1/hostcheck", 1, Instant.now()), Instant.now());

        assertTrue(inhibitor.muted(firing("esxi/nas1/db", 0), Instant.now()).isEmpty());
    }

    @Test
    void aLateFiringStepFromTheTopicDoesNotBringBackAnAlertItSawResolved() throws Exception {
        Inhibitor inhibitor = inhibitor(HOSTCHECK_MUTES_JOBS);
        inhibitor.saw(firing("esxi/nas1/hostcheck", 3), Instant.now());
        inhibitor.saw(resolved("esxi/nas1/hostcheck", 4, Instant.now()), Instant.now());
        onTopic(firing("esxi/nas1/hostcheck", 3));

        assertTrue(inhibitor.muted(firing("esxi/nas1/db", 0), Instant.now()).isEmpty());
        onTopic(firing("esxi/nas1/hostcheck", 5));
        assertTrue(inhibitor.muted(firing("esxi/nas1/db", 0), Instant.now()).isPresent(), "it fires again: newer step");
    }

    @Test
    void anAlertThatResolvedAndFiresAgainInhibitsAgainThoughItsStepsStartAnew() throws Exception {
        Inhibitor inhibitor = inhibitor(HOSTCHECK_MUTES_JOBS);
        inhibitor.saw(firing("esxi/nas1/hostcheck", 0), Instant.now());
        inhibitor.saw(resolved("esxi/nas1/hostcheck", 1, Instant.now()), Instant.now());
        assertTrue(inhibitor.muted(firing("esxi/nas1/db", 0), Instant.now()).isEmpty());

        // The host check fails again an hour later: a new firing, numbered from 0, within the resolve's keep time.
        onTopic(GroupsTest.alert("esxi/nas1/hostcheck", AlertStatus.FIRING, 0,
                Instant.parse("2026-11-22T03:00:00Z")));
        assertTrue(inhibitor.muted(firing("esxi/nas1/db", 0), Instant.now()).isPresent(), "it fires again");
    }

    @Test
    void aResolveIsForgottenAfterItsTimeAndAnOldOneIsNotHeldAtAll() throws Exception {
        Inhibitor inhibitor = inhibitor(HOSTCHECK_MUTES_JOBS);
        Instant now = Instant.parse("2026-12-02T12:00:00Z");
        inhibitor.saw(firing("esxi/nas1/hostcheck", 0), now);
        inhibitor.saw(resolved("esxi/nas1/hostcheck", 1, now), now);
        assertEquals(1, inhibitor.size(), "the resolve is held against a late firing step");

        inhibitor.saw(firing("esxi/nas2/db", 0), now.plus(Inhibitor.KEEP_RESOLVED));
        assertEquals(1, inhibitor.size(), "the resolve is gone; only nas2's firing alert is held");

        // A topic read from its beginning brings resolves long over: they are not held.
        inhibitor.saw(resolved("esxi/nas3/db", 7, now.minus(Inhibitor.KEEP_RESOLVED)), now);
        assertEquals(1, inhibitor.size());
        inhibitor.saw(resolved("esxi/nas2/db", 1, now.minusSeconds(1)), now);
        assertEquals(1, inhibitor.size(), "nas2's alert resolved: only its resolve is held");
        assertTrue(inhibitor.muted(firing("esxi/nas2/db", 2), now).isEmpty());
    }

    @Test
    void theResolveOfALaterFiringIsKeptForItsOwnTimeNotTheEarlierResolves() throws Exception {
        Inhibitor inhibitor = inhibitor(HOSTCHECK_MUTES_JOBS);
        Instant now = Instant.parse("2026-12-02T12:00:00Z");
        Instant second = Instant.parse("2026-12-02T12:05:00Z");
        inhibitor.saw(GroupsTest.alert("esxi/nas1/hostcheck", AlertStatus.FIRING, 0, now), now);
        AlertEvent firstResolve = GroupsTest.alert("esxi/nas1/hostcheck", AlertStatus.RESOLVED, 1, now);
        firstResolve.setUpdatedAt(now);
        inhibitor.saw(firstResolve, now);
        // Five minutes later it fails and recovers again: the same sequences, a later firing.
        inhibitor.saw(GroupsTest.alert("esxi/nas1/hostcheck", AlertStatus.FIRING, 0, second), second);
        AlertEvent secondResolve = GroupsTest.alert("esxi/nas1/hostcheck", AlertStatus.RESOLVED, 1, second);
        secondResolve.setUpdatedAt(second);
        inhibitor.saw(secondResolve, second);

        // When the first resolve's time is up, the second is still held against a late step of its firing.
        Instant later = now.plus(Inhibitor.KEEP_RESOLVED).plusSeconds(60);
        inhibitor.saw(GroupsTest.alert("esxi/nas1/hostcheck", AlertStatus.FIRING, 0, second), later);
        assertTrue(inhibitor.muted(firing("esxi/nas1/db", 0), later).isEmpty(), "the host check is resolved");
    }

    @Test
    void aDeletionOnTheTopicEndsTheInhibition() throws Exception {
        Inhibitor inhibitor = inhibitor(HOSTCHECK_MUTES_JOBS);
        onTopic(firing("esxi/nas1/hostcheck", 0));
        topic.get().accept("esxi/nas1/hostcheck/failed", null);

        assertTrue(inhibitor.muted(firing("esxi/nas1/db", 0), Instant.now()).isEmpty());
        assertEquals(0, inhibitor.size());
    }

    @Test
    void theTopicIsFollowedOnlyOnceTheRulesHaveInhibitionsAndAReloadIndexesWhatFires() throws Exception {
        Inhibitor inhibitor = inhibitor("default-receiver: none\nreceivers: [{name: none, type: console}]\n");
        inhibitor.saw(firing("esxi/nas1/hostcheck", 0), Instant.now());
        assertTrue(inhibitor.muted(firing("esxi/nas1/db", 0), Instant.now()).isEmpty());
        assertNull(topic.get(), "no inhibitions: hookline.alerts is not read");
        assertEquals(0, inhibitor.size(), "and no alert is held");

        rules = Rules.parse(HOSTCHECK_MUTES_JOBS);
        assertTrue(inhibitor.muted(firing("esxi/nas1/db", 0), Instant.now()).isEmpty());
        assertNotNull(topic.get(), "the reload's inhibitions start reading hookline.alerts from its start");
        onTopic(firing("esxi/nas1/hostcheck", 0));
        assertTrue(inhibitor.muted(firing("esxi/nas1/db", 0), Instant.now()).isPresent(),
                "the hostcheck that fired before the reload mutes once the topic brings it");
        onTopic(firing("esxi/nas2/hostcheck", 0));
        assertTrue(inhibitor.muted(firing("esxi/nas2/db", 0), Instant.now()).isPresent());

        rules = Rules.parse(HOSTCHECK_MUTES_JOBS.replace("equal: [host]", "equal: [source]")
                .replace("*/hostcheck", "*/nas2/hostcheck"));
        assertTrue(inhibitor.muted(firing("other/nas1/db", 0), Instant.now()).isEmpty(), "another source");
        assertTrue(inhibitor.muted(firing("esxi/nas9/db", 0), Instant.now()).isPresent(),
                "the new rule: nas2's hostcheck mutes every job of its source");
    }

    @Test
    void aStormOfAlertsIsCheckedAgainstItsOwnHostOnly() throws Exception {
        Inhibitor inhibitor = inhibitor(HOSTCHECK_MUTES_JOBS);
        Instant now = Instant.now();
        for (int host = 0; host < 1_000; host++) {
            for (int job = 0; job < 100; job++) {
                inhibitor.saw(firing("esxi/h" + host + "/job" + job, 0), now);
            }
        }
        onTopic(firing("esxi/h500/hostcheck", 0));
        int muted = 0;
        for (int host = 0; host < 1_000; host++) {
            for (int job = 0; job < 100; job++) {
                if (inhibitor.muted(firing("esxi/h" + host + "/job" + job, 0), now).isPresent()) {
                    assertEquals(500, host);
                    muted++;
                }
            }
        }
        assertEquals(100, muted, "exactly the jobs of the host whose check fails");
        assertEquals(100_001, inhibitor.size());
    }
}
