package io.hookline.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.Punctuator;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

import io.hookline.processor.chains.ChainLogic;
import io.hookline.processor.chains.ChainReactor;
import io.hookline.processor.react.StoreSweep;
import io.hookline.processor.rules.Rules;
import io.hookline.schema.ActionKind;
import io.hookline.schema.BackupEvent;
import io.hookline.schema.ChainCause;
import io.hookline.schema.Command;
import io.hookline.schema.serde.AvroSerde;

/**
 * What the chain reactor's expiry check costs when many commands wait for agents that do not poll (a site offline
 * for a weekend): the check runs when a command expires, at most every {@code checkInterval} (250 ms) and at least
 * hourly, so it must cost what is due, not what waits.
 * The queued commands sit in a RocksDB store, as in the processor; the reactor's task is started on it as after a
 * restart (it indexes them once), then the check is timed with none due and with all of them due. The peer is a
 * walk over the same store decoding every entry: what each check cost before the index. Then the same commands,
 * as issued commands kept for /api/commands, are forgotten a slice at a time, against the single walk it replaces.
 *
 * <pre>bench/command-expiries [--commands N] [--checks C]</pre>
 */
public final class CommandExpiries {

    static final String USAGE = "bench/command-expiries [--commands 100000] [--checks 2000]";

    public static void main(String[] args) throws Exception {
        BenchOptions.run(USAGE, args, options -> {
            int count = options.count("commands", 100_000, 1, 10_000_000);
            int checks = options.count("checks", 2000, 1, 1_000_000);
            run(WorkDir.create("hookline-bench-expiries-"), count, checks);
        });
    }

    private static void run(Path work, int count, int checks) throws Exception {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "bench-expiries");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        MockProcessorContext<String, Object> context = new MockProcessorContext<>(props, new TaskId(0, 0),
                Files.createDirectories(work.resolve("state")).toFile());
        KeyValueStore<String, BackupEvent> deadlines = store(context, ChainReactor.DEADLINES,
                AvroSerde.of(BackupEvent.class));
        KeyValueStore<String, Command> issued = store(context, ChainReactor.COMMANDS, AvroSerde.of(Command.class));

        Instant now = Instant.now();
        Instant expiresAt = now.plus(Duration.ofHours(48));
        for (int i = 0; i < count; i++) {
            Command command = command(i, now, expiresAt.plusMillis(i));
            deadlines.put(command.getCommandId(), ChainLogic.expired(command, command.getExpiresAt()));
            issued.put(command.getCommandId(), command);
        }
        deadlines.flush();
        issued.flush();
        System.out.printf(Locale.ROOT, "%,d commands queued for agents that do not poll, expiring in 48 h%n", count);

        context.setCurrentSystemTimeMs(now.toEpochMilli());
        long started = System.nanoTime();
        new ChainReactor(() -> Rules.NONE, Duration.ofMillis(250)).start(context, null);
        System.out.printf(Locale.ROOT, "task start (indexes the store once): %.1f ms%n", (System.nanoTime() - started) / 1e6);
        Punctuator check = context.scheduledPunctuators().stream()
                .filter(punctuator -> punctuator.getInterval().equals(Duration.ofMillis(250)))
                .findFirst().orElseThrow().getPunctuator();

        long[] none = new long[checks];
        for (int i = 0; i < checks; i++) {
            long t = System.nanoTime();
            check.punctuate(now.plusMillis(250L * i).toEpochMilli());
            none[i] = System.nanoTime() - t;
        }
        Arrays.sort(none);
        System.out.printf(Locale.ROOT, "check with none due, %d checks: median %.1f µs, p99 %.1f µs, max %.1f µs%n", checks,
                none[checks / 2] / 1e3, none[checks * 99 / 100] / 1e3, none[checks - 1] / 1e3);

        int walks = 5;
        long[] walk = new long[walks];
        for (int i = 0; i < walks; i++) {
            long t = System.nanoTime();
            long seen = 0;
            try (KeyValueIterator<String, BackupEvent> all = deadlines.all()) {
                while (all.hasNext()) {
                    seen += all.next().value.getReceivedAt().isBefore(now) ? 1 : 0;
                }
            }
            walk[i] = System.nanoTime() - t;
            if (seen != 0) {
                throw new IllegalStateException(seen + " commands due too early");
            }
        }
        Arrays.sort(walk);
        System.out.printf(Locale.ROOT, "peer, a walk over the store decoding every command (each check before the index): "
                + "median %.1f ms of %d%n", walk[walks / 2] / 1e6, walks);

        long t = System.nanoTime();
        check.punctuate(expiresAt.plus(Duration.ofHours(1)).toEpochMilli());
        long allDue = System.nanoTime() - t;
        int expired = context.forwarded().size();
        System.out.printf(Locale.ROOT, "check with all due: %,d COMMAND_EXPIRED events in %.1f ms (%.1f µs each)%n", expired,
                allDue / 1e6, allDue / 1e3 / Math.max(1, expired));
        if (expired != count) {
            throw new IllegalStateException(expired + " of " + count + " commands expired");
        }
        forgetting(issued, count, now);
        List.of(ChainReactor.DEADLINES, ChainReactor.COMMANDS).forEach(name -> context.getStateStore(name).close());
    }

    /**
     * The issued commands (kept 30 days for /api/commands): a pass that forgets the old ones, a slice a step, against
     * what it replaces, one walk over all of them in one punctuation (the stream thread held for its length). Both
     * as most passes are (nothing old yet) and 31 days on (everything old: each one deleted too).
     */
    private static void forgetting(KeyValueStore<String, Command> issued, int count, Instant now) {
        System.out.printf(Locale.ROOT, "%,d issued commands (kept 30 days):%n", count);
        long later = now.plus(Duration.ofDays(31)).toEpochMilli();
        System.out.printf(Locale.ROOT, "  before, one walk in one punctuation: none old %.1f ms, all old (deleting them) %.1f ms%n",
                walkAndForget(issued, now.toEpochMilli()), walkAndForget(issued, later));
        for (int i = 0; i < count; i++) {
            Command command = command(i, now, now.plus(Duration.ofHours(48)));
            issued.put(command.getCommandId(), command);
        }
        issued.flush();
        pass("now a pass, none old", ChainReactor.oldCommands(issued), now.toEpochMilli(), issued, false);
        pass("a pass, all old", ChainReactor.oldCommands(issued), later, issued, true);
        if (count(issued, 1) != 0) {
            throw new IllegalStateException("old commands left after a pass");
        }
    }

    /** What the hourly punctuation did before: every command read, the old ones deleted, in one go. */
    private static double walkAndForget(KeyValueStore<String, Command> issued, long at) {
        long t = System.nanoTime();
        Instant before = Instant.ofEpochMilli(at).minus(Duration.ofDays(30));
        List<String> old = new java.util.ArrayList<>();
        try (KeyValueIterator<String, Command> all = issued.all()) {
            while (all.hasNext()) {
                var entry = all.next();
                if (entry.value.getCreatedAt().isBefore(before)) {
                    old.add(entry.key);
                }
            }
        }
        old.forEach(issued::delete);
        return (System.nanoTime() - t) / 1e6;
    }

    private static void pass(String what, StoreSweep<Command> old, long at, KeyValueStore<String, Command> issued,
            boolean forgetting) {
        long step = StoreSweep.STEP.toMillis();
        int steps = 0;
        double longest = 0;
        long started = System.nanoTime();
        // A pass ends when a step starts the next one: an hour on, the store is read from its start again.
        do {
            long s = System.nanoTime();
            old.step(at + step * steps);
            longest = Math.max(longest, (System.nanoTime() - s) / 1e6);
            steps++;
        } while (forgetting ? count(issued, 1) > 0 : !old.betweenPasses());
        System.out.printf(Locale.ROOT, "  %s: %d steps, one every %d s; the longest %.1f ms, all of them %.1f ms%n", what,
                steps, StoreSweep.STEP.toSeconds(), longest, (System.nanoTime() - started) / 1e6);
    }

    private static int count(KeyValueStore<String, Command> store, int atMost) {
        int n = 0;
        try (KeyValueIterator<String, Command> all = store.all()) {
            while (n < atMost && all.hasNext()) {
                all.next();
                n++;
            }
        }
        return n;
    }

    private static Command command(int i, Instant createdAt, Instant expiresAt) {
        String id = "bench-" + i;
        return Command.newBuilder()
                .setCommandId(id)
                .setCreatedAt(createdAt)
                .setCause(ChainCause.newBuilder().setCommandId(id).setRule("copy-offsite").build())
                .setKind(ActionKind.AGENT)
                .setAgent("site-" + (i % 100))
                .setAction("restic-copy")
                .setJobKey("site-" + (i % 100) + "/copy-" + i)
                .setNotBefore(createdAt)
                .setExpiresAt(expiresAt)
                .build();
    }

    private static <V> KeyValueStore<String, V> store(MockProcessorContext<String, Object> context, String name,
            org.apache.kafka.common.serialization.Serde<V> values) {
        KeyValueStore<String, V> store = Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(),
                values).withLoggingDisabled().withCachingDisabled().build();
        store.init(context.getStateStoreContext(), store);
        context.addStateStore(store);
        return store;
    }
}
