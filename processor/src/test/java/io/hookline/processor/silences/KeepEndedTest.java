package io.hookline.processor.silences;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.hookline.schema.Silence;

/** hookline.silences.keep-ended at its edges: what the processor refuses at start, and what the sweep removes. */
class KeepEndedTest {

    static final Instant ENDED = Instant.parse("2026-12-06T20:00:00Z");

    static Silence endedAt(Instant end) {
        return Silence.newBuilder().setId("sil_0123456789abcdef").setMatchers(Map.of("job", "x"))
                .setStartsAt(end.minusSeconds(3600)).setEndsAt(end).setTimeZone("UTC").setComment("")
                .setCreatedBy("ana").setCreatedAt(end.minusSeconds(3600)).build();
    }

    @Test
    void aNegativeKeepEndedIsRefusedWithTheKeyNamedEvenAtItsMostNegative() {
        for (Duration negative : java.util.List.of(Duration.ofDays(-1), Duration.ofSeconds(Long.MIN_VALUE))) {
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                    () -> Silences.keepEnded(negative));
            assertTrue(refused.getMessage().startsWith("hookline.silences.keep-ended must be a duration of zero or "
                    + "more (5d, 12h), not PT-"), refused.getMessage());
        }
        assertEquals(Duration.ZERO, Silences.keepEnded(Duration.ZERO));
        assertEquals(Duration.ofSeconds(Long.MAX_VALUE), Silences.keepEnded(Duration.ofSeconds(Long.MAX_VALUE)));
    }

    @Test
    void anEndedSilenceIsRemovedAtItsKeepEndedAndACenturiesLongOneDoesNotOverflow() {
        Duration fiveDays = Duration.ofDays(5);
        assertFalse(Silences.removable(endedAt(ENDED), ENDED.plus(fiveDays).minusSeconds(1), fiveDays));
        assertTrue(Silences.removable(endedAt(ENDED), ENDED.plus(fiveDays), fiveDays));
        assertTrue(Silences.removable(endedAt(ENDED), ENDED, Duration.ZERO), "kept not at all: removed at its end");
        assertFalse(Silences.removable(endedAt(ENDED), ENDED.plus(Duration.ofDays(365 * 1000)),
                Duration.ofSeconds(Long.MAX_VALUE)), "kept for ever");
        assertFalse(Silences.removable(endedAt(ENDED.plusSeconds(60)), ENDED, fiveDays), "not ended yet");
        Silence untilDeleted = Silence.newBuilder(endedAt(ENDED)).setEndsAt(null).build();
        assertFalse(Silences.removable(untilDeleted, ENDED.plus(Duration.ofDays(3650)), fiveDays), "no end: kept");
    }
}
