package io.hookline.gateway.envelope;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

/** The ids of calls without an idempotency key: what the processor tells retried hooks apart by. */
class EventIdsTest {

    @Test
    void randomIdsAreVersionFourUuidsThatNoOtherThreadRepeats() throws Exception {
        int threads = 4;
        int each = 50_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<String>>> made = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                made.add(pool.submit(() -> {
                    List<String> ids = new ArrayList<>(each);
                    for (int i = 0; i < each; i++) {
                        ids.add(EventIds.random());
                    }
                    return ids;
                }));
            }
            Set<String> all = new HashSet<>();
            Set<String> firsts = new HashSet<>();
            for (Future<List<String>> ids : made) {
                firsts.add(ids.get().get(0));
                for (String id : ids.get()) {
                    UUID uuid = UUID.fromString(id);
                    assertEquals(id, uuid.toString(), "in UUID's own form");
                    assertEquals(4, uuid.version(), id);
                    assertEquals(2, uuid.variant(), id);
                    all.add(id);
                }
            }
            assertEquals(threads, firsts.size(), "each thread's generator is seeded on its own: " + firsts);
            assertEquals(threads * each, all.size(), "no id made twice");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aCallWithAKeyKeepsItsIdAndOneWithoutGetsANewOneEachTime() {
        assertEquals(EventIds.forCall("nas", "k-1"), EventIds.forCall("nas", "k-1"));
        assertNotEquals(EventIds.forCall("nas", "k-1"), EventIds.forCall("other", "k-1"));
        assertNotEquals(EventIds.forCall("nas", null), EventIds.forCall("nas", null));
    }
}
