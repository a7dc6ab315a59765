package io.hookline.processor.react;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

import io.hookline.processor.TaskStores;
import io.hookline.processor.chains.ChainReactor;
import io.hookline.schema.ActionKind;
import io.hookline.schema.ChainCause;
import io.hookline.schema.Command;
import io.hookline.schema.serde.AvroSerde;

/** What /api/commands keeps: 30 days of commands, the older ones forgotten a slice of the store at a time. */
class StoreSweepTest {

    static final Instant NOW = Instant.parse("2026-12-01T00:00:00Z");

    final KeyValueStore<String, Command> issued = TaskStores.add(new MockProcessorContext<>(), ChainReactor.COMMANDS,
            AvroSerde.of(Command.class));

    @Test
    void commandsOlderThanThirtyDaysLeaveASliceAtATimeAndYoungerOnesStay() {
        for (int i = 0; i < 25; i++) {
            put(String.format("cmd-%02d", i), NOW.minus(Duration.ofDays(i % 2 == 0 ? 31 : 29)));
        }
        StoreSweep<Command> old = new StoreSweep<>(issued, Duration.ofHours(1), ChainReactor.OLD, 10);

        old.step(NOW.toEpochMilli());
        assertEquals(20, keys().size(), "the first ten looked at, five of them old: " + keys());
        assertNotNull(issued.get("cmd-10"), "not looked at yet");
        old.step(NOW.plusSeconds(5).toEpochMilli());
        assertEquals(15, keys().size(), keys().toString());
        old.step(NOW.plusSeconds(10).toEpochMilli());
        List<String> younger = new ArrayList<>();
        for (int i = 1; i < 25; i += 2) {
            younger.add(String.format("cmd-%02d", i));
        }
        assertEquals(younger, keys(), "every old one gone, every younger one kept");

        // Between passes nothing is read; the next pass comes an hour after the last began.
        put("late", NOW.minus(Duration.ofDays(40)));
        old.step(NOW.plusSeconds(15).toEpochMilli());
        old.step(NOW.plus(Duration.ofMinutes(59)).toEpochMilli());
        assertNotNull(issued.get("late"));
        old.step(NOW.plus(Duration.ofHours(1)).toEpochMilli());
        assertNotNull(issued.get("late"), "after the twelve younger ones: in the pass's second slice");
        old.step(NOW.plus(Duration.ofHours(1)).plusSeconds(5).toEpochMilli());
        assertNull(issued.get("late"));
        assertEquals(younger, keys());
    }

    @Test
    void aCommandTurningThirtyDaysOldDuringAPassIsForgottenAtTheNext() {
        put("a", NOW.minus(Duration.ofDays(29)));
        StoreSweep<Command> old = ChainReactor.oldCommands(issued);
        old.step(NOW.toEpochMilli());
        assertNotNull(issued.get("a"));
        old.step(NOW.plus(Duration.ofDays(2)).toEpochMilli());
        assertNull(issued.get("a"));
    }

    @Test
    void betweenPassesTheSweepWakesItsTaskOnlyWhenTheNextPassIsDue() {
        // Every wake-up is a punctuation, and Kafka Streams commits a transaction after each.
        put("old", NOW.minus(Duration.ofDays(31)));
        MockProcessorContext<String, Object> context = new MockProcessorContext<>();
        ChainReactor.oldCommands(issued).schedule(context);
        assertEquals(StoreSweep.STEP, pending(context).getInterval());

        pending(context).getPunctuator().punctuate(NOW.toEpochMilli());
        assertNull(issued.get("old"), "the pass ran");
        assertEquals(Duration.ofHours(1), pending(context).getInterval(), "nothing until the next pass");

        put("older", NOW.minus(Duration.ofDays(40)));
        pending(context).getPunctuator().punctuate(NOW.plus(Duration.ofHours(1)).toEpochMilli());
        assertNull(issued.get("older"), "the next pass ran at once");
        assertEquals(Duration.ofHours(1), pending(context).getInterval(), "and was over in one step");
    }

    private static MockProcessorContext.CapturedPunctuator pending(MockProcessorContext<String, Object> context) {
        List<MockProcessorContext.CapturedPunctuator> active = context.scheduledPunctuators().stream()
                .filter(p -> !p.cancelled()).toList();
        assertEquals(1, active.size(), "one wake-up pending at a time");
        return active.get(0);
    }

    private void put(String id, Instant createdAt) {
        issued.put(id, Command.newBuilder()
                .setCommandId(id)
                .setCreatedAt(createdAt)
                .setCause(ChainCause.newBuilder().setCommandId(id).setRule("copy-offsite").build())
                .setKind(ActionKind.AGENT)
                .setAgent("nas01")
                .setAction("restic-copy")
                .setJobKey("nas01/restic-copy")
                .setNotBefore(createdAt)
                .setExpiresAt(createdAt.plus(Duration.ofHours(1)))
                .build());
    }

    private List<String> keys() {
        List<String> keys = new ArrayList<>();
        try (var all = issued.all()) {
            all.forEachRemaining(entry -> keys.add(entry.key));
        }
        return keys;
    }
}
