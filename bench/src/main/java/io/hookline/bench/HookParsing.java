package io.hookline.bench;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Supplier;

import io.hookline.gateway.envelope.EventIds;
import io.hookline.gateway.hook.HookRequest;
import io.hookline.gateway.hook.RawCapture;
import io.hookline.gateway.source.Source;
import io.hookline.gateway.xsibackup.XsiBackupHook;
import io.hookline.gateway.xsibackup.XsiBackupQuery;
import io.hookline.schema.BackupEvent;
import io.hookline.schema.SourceKind;
import io.hookline.schema.serde.AvroSerde;

/**
 * What the gateway spends on one XSIBackup hook before its HTTP stack and the producer: decoding the query,
 * checking it for secrets, the scrubbed copy for audit, the event, its Avro encoding; the same steps as
 * {@code XsiBackupResource} on the hooks {@code bench/run} sends, in one thread, no broker. A change to any of them
 * shows here in microseconds a hook, which {@code bench/run}'s figures, moving a tenth from day to day, cannot show.
 * Prints the median and best of {@code --rounds} rounds of {@code --hooks} hooks, after as many rounds to warm up;
 * then a random event id, made by two threads at once as the two event loops do.
 */
public final class HookParsing {

    static final String USAGE = "bench/parsing [--hooks 200000] [--rounds 15]";

    public static void main(String[] args) throws Exception {
        BenchOptions.run(USAGE, args, HookParsing::bench);
    }

    static void bench(BenchOptions options) {
        int hooks = options.count("hooks", 200_000, 1, 100_000_000);
        int rounds = options.count("rounds", 15, 1, 1000);
        String[] queries = new String[1024];
        for (int i = 0; i < queries.length; i++) {
            queries[i] = XsiBackupThroughput.query(10_000 + i);
        }
        Source source = new Source("bench", SourceKind.XSIBACKUP, "OK", ZoneOffset.UTC);
        Map<String, String> headers = new TreeMap<>(Map.of("host", "127.0.0.1:8080", "user-agent", "Wget/1.20.3"));
        AvroSerde<BackupEvent> serde = AvroSerde.of(BackupEvent.class);
        String[] steps = {"decode the query", "check it for secrets", "scrubbed copy for audit", "the event",
            "Avro encoding"};
        long[][] nanos = new long[steps.length][rounds];
        long bytes = 0;
        for (int round = -rounds; round < rounds; round++) {
            long[] spent = new long[steps.length];
            for (int i = 0; i < hooks; i++) {
                String query = queries[i & (queries.length - 1)];
                long t0 = System.nanoTime();
                XsiBackupQuery.Decoded decoded = XsiBackupQuery.decode(query).decoded();
                long t1 = System.nanoTime();
                var safe = XsiBackupHook.safeQuery(decoded);
                long t2 = System.nanoTime();
                HookRequest request = new HookRequest("GET", "/hooks/xsibackup/***/error", query, headers, "", "127.0.0.1");
                var raw = RawCapture.inspected(request, safe.orElse(query), safe.isPresent(), 4096);
                long t3 = System.nanoTime();
                BackupEvent event = XsiBackupHook.toEvent(source, "error", decoded, Instant.now(), raw, null).event();
                long t4 = System.nanoTime();
                bytes += serde.encode(event).length;
                long t5 = System.nanoTime();
                spent[0] += t1 - t0;
                spent[1] += t2 - t1;
                spent[2] += t3 - t2;
                spent[3] += t4 - t3;
                spent[4] += t5 - t4;
            }
            if (round >= 0) {
                for (int s = 0; s < steps.length; s++) {
                    nanos[s][round] = spent[s];
                }
            }
        }
        System.out.printf(Locale.ROOT, "One XSIBackup hook as bench/run sends it (%d-byte query, %d-byte record), %d"
                + " rounds of %d hooks, one thread:%n", queries[0].length(), bytes / (2L * rounds * hooks), rounds, hooks);
        long[] total = new long[rounds];
        for (int s = 0; s < steps.length; s++) {
            print(steps[s], nanos[s], hooks);
            for (int r = 0; r < rounds; r++) {
                total[r] += nanos[s][r];
            }
        }
        print("all of it", total, hooks);
        // A hook without an idempotency key gets a random id, made on either event loop: timed with two threads at
        // once, against the JDK's UUID.randomUUID (one generator behind one lock for every thread).
        System.out.printf(Locale.ROOT, "A random event id, two threads making them at once, %d rounds of %d each:%n",
                rounds, hooks);
        print("EventIds.random", idRounds(EventIds::random, rounds, hooks), hooks, "an id");
        print("UUID.randomUUID", idRounds(() -> UUID.randomUUID().toString(), rounds, hooks), hooks, "an id");
    }

    private static volatile long madeLength;

    /** Nanoseconds each round took for one of two threads to make {@code ids} ids, after as many rounds to warm up. */
    private static long[] idRounds(Supplier<String> ids, int rounds, int each) {
        long[] nanos = new long[rounds];
        for (int round = -rounds; round < rounds; round++) {
            long[] spent = new long[2];
            Thread[] threads = new Thread[2];
            for (int t = 0; t < threads.length; t++) {
                int thread = t;
                threads[t] = new Thread(() -> {
                    long start = System.nanoTime();
                    int length = 0;
                    for (int i = 0; i < each; i++) {
                        length += ids.get().length();
                    }
                    spent[thread] = System.nanoTime() - start;
                    // Read, so that the ids are made.
                    madeLength += length;
                });
                threads[t].start();
            }
            for (Thread thread : threads) {
                try {
                    thread.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
            if (round >= 0) {
                nanos[round] = Math.max(spent[0], spent[1]);
            }
        }
        return nanos;
    }

    private static void print(String step, long[] nanos, int hooks) {
        print(step, nanos, hooks, "a hook");
    }

    private static void print(String step, long[] nanos, int count, String each) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        System.out.printf(Locale.ROOT, "  %-26s median %6.2f µs, best %6.2f µs %s%n", step,
                sorted[sorted.length / 2] / 1e3 / count, sorted[0] / 1e3 / count, each);
    }
}
