package io.hookline.processor.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;

import org.junit.jupiter.api.Test;

import io.hookline.processor.rules.Rules;
import io.hookline.schema.AlertEvent;
import io.hookline.schema.AlertStatus;
import io.hookline.schema.DeliveryOutcome;

/** The inhibitor on its own: what the view of hookline.alerts says fires, overridden by the steps it saw itself. */
class InhibitorTest {

    final Collection<AlertEvent> onTopic = new ArrayList<>();

    Inhibitor inhibitor() throws Exception {
        Rules rules = Rules.parse("""
                inhibit:
                  - source: {job: "*/hostcheck"}
                    target: {job: "*"}
                    equal: [host]
                """);
        return new Inhibitor(() -> rules, () -> onTopic);
    }

    @Test
    void aFiringHostCheckMutesTheJobsOfItsHostOnly() throws Exception {
        Inhibitor inhibitor = inhibitor();
        onTopic.add(GroupsTest.alert("esxi/nas1/hostcheck", AlertStatus.FIRING, 0));

        var muted = inhibitor.muted(GroupsTest.alert("esxi/nas1/db", AlertStatus.FIRING, 0), Instant.now());
        assertEquals(DeliveryOutcome.INHIBITED, muted.orElseThrow().outcome());
        assertTrue(muted.get().message().startsWith("inhibited while esxi/nas1/hostcheck/failed fires"), muted.get().message());
        assertTrue(inhibitor.muted(GroupsTest.alert("esxi/nas2/db", AlertStatus.FIRING, 0), Instant.now()).isEmpty());
        assertTrue(inhibitor.muted(GroupsTest.alert("esxi/nas1/db", AlertStatus.RESOLVED, 1), Instant.now()).isEmpty(),
                "a resolve is never muted");
    }

    @Test
    void aResolveItSawEndsTheInhibitionBeforeTheViewHasIt() throws Exception {
        Inhibitor inhibitor = inhibitor();
        onTopic.add(GroupsTest.alert("esxi/nas1/hostcheck", AlertStatus.FIRING, 0));
        inhibitor.saw(GroupsTest.alert("esxi/nas1/hostcheck", AlertStatus.RESOLVED, 1), Instant.now());

        assertTrue(inhibitor.muted(GroupsTest.alert("esxi/nas1/db", AlertStatus.FIRING, 0), Instant.now()).isEmpty());
    }
}
