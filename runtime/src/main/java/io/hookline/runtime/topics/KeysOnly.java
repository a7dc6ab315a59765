package io.hookline.runtime.topics;

import java.nio.ByteBuffer;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * For a reader that follows only a topic's keys: a value deserializer that says whether the record has a value
 * (an empty array) or is a tombstone (null), without copying the value out of the fetched batch. Job states are a
 * few kilobytes each; the live feed and the gateway would otherwise copy every one the processor writes.
 *
 * <p>{@link #FETCH_MAX_BYTES} keeps each fetch response, which the consumer reads into one array, under the size at
 * which G1 allocates it outside the young generation ("humongous", half a region of 1 MB, the region size of
 * heaps under 2 GB). Following the keys of a busy topic, 1 MB responses made the processor collect garbage a dozen
 * times a second.
 */
public final class KeysOnly implements Deserializer<byte[]> {

    /** What a record with a value deserializes to. */
    public static final byte[] PRESENT = new byte[0];
    /** fetch.max.bytes for a keys-only reader. */
    public static final int FETCH_MAX_BYTES = 384 * 1024;
    /** max.partition.fetch.bytes for a keys-only reader. */
    public static final int PARTITION_FETCH_MAX_BYTES = 128 * 1024;

    @Override
    public byte[] deserialize(String topic, byte[] data) {
        return data == null ? null : PRESENT;
    }

    @Override
    public byte[] deserialize(String topic, Headers headers, byte[] data) {
        return deserialize(topic, data);
    }

    @Override
    public byte[] deserialize(String topic, Headers headers, ByteBuffer data) {
        return data == null ? null : PRESENT;
    }

    /** The fetch sizes above, on a consumer's configuration. */
    public static void limitFetches(Map<String, Object> consumerConfig) {
        consumerConfig.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, FETCH_MAX_BYTES);
        consumerConfig.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, PARTITION_FETCH_MAX_BYTES);
    }
}
