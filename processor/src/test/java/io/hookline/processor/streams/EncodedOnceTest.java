package io.hookline.processor.streams;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;

import io.hookline.processor.Events;
import io.hookline.processor.state.JobStateFold;
import io.hookline.schema.JobState;
import io.hookline.schema.serde.AvroSerde;

/** The store and hookline.job-state get the same state one after the other: its bytes are made once. */
class EncodedOnceTest {

    @Test
    void theSameStateWrittenTwiceIsEncodedOnceAndAnyOtherIsEncodedAnew() {
        AvroSerde<JobState> avro = AvroSerde.of(JobState.class);
        AtomicInteger encoded = new AtomicInteger();
        EncodedOnce<JobState> once = new EncodedOnce<>(Serdes.serdeFrom((topic, state) -> {
            encoded.incrementAndGet();
            return avro.encode(state);
        }, avro));
        JobState first = JobStateFold.apply(null, Events.succeeded("s/h/j", "1", java.time.Instant.EPOCH, 10));
        byte[] toStore = once.serialize("hookline-processor-job-state-changelog", first);
        byte[] toTopic = once.serialize("hookline.job-state", first);
        assertSame(toStore, toTopic);
        assertEquals(1, encoded.get());

        JobState next = JobStateFold.apply(first, Events.failed("s/h/j", "2", java.time.Instant.EPOCH.plusSeconds(60), "x"));
        byte[] nextBytes = once.serialize("hookline.job-state", next);
        assertNotSame(toTopic, nextBytes);
        assertArrayEquals(avro.encode(next), nextBytes);
        assertEquals(2, encoded.get());
        assertEquals(next, once.deserializer().deserialize("hookline.job-state", nextBytes));
        assertNull(once.serialize("hookline.job-state", null), "a tombstone stays one");
    }
}
