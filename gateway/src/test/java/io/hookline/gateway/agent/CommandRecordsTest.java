package io.hookline.gateway.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import io.hookline.devstack.SharedKafka;

/**
 * A backlog larger than the records held in memory: each record not held is read again from the topic, byte for
 * byte; one the topic no longer has is left out; a topic that does not answer fails the read within its time.
 */
class CommandRecordsTest {

    /** Writes {@code count} records of about 300 bytes over two partitions of a new topic: their positions. */
    static List<CommandRecords.Position> write(String topic, int count, List<byte[]> values) throws Exception {
        Map<String, Object> config = Map.of("bootstrap.servers", SharedKafka.bootstrapServers());
        try (Admin admin = Admin.create(config)) {
            admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        List<CommandRecords.Position> positions = new ArrayList<>();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config, new StringSerializer(),
                new ByteArraySerializer())) {
            for (int i = 0; i < count; i++) {
                String id = "cmd_" + UUID.randomUUID().toString().replace("-", "");
                byte[] value = (id + ":" + "r".repeat(260) + i).getBytes(StandardCharsets.UTF_8);
                RecordMetadata written = producer.send(new ProducerRecord<>(topic, i % 2, "nas" + i % 2, value))
                        .get(10, TimeUnit.SECONDS);
                positions.add(new CommandRecords.Position(id, written.partition(), written.offset()));
                values.add(value);
            }
        }
        return positions;
    }

    @Test
    void recordsPastTheBudgetAreReadAgainFromTheTopicByteForByte() throws Exception {
        String topic = "command-records-" + UUID.randomUUID();
        List<byte[]> values = new ArrayList<>();
        List<CommandRecords.Position> positions = write(topic, 40, values);
        try (CommandRecords records = new CommandRecords(topic, 2_000,
                Map.of("bootstrap.servers", SharedKafka.bootstrapServers()))) {
            for (int i = 0; i < positions.size(); i++) {
                records.keep(positions.get(i).commandId(), values.get(i));
            }
            assertTrue(records.keptBytes() <= 2_000, "kept " + records.keptBytes() + " bytes");

            Map<String, byte[]> found = records.records(positions).get(15, TimeUnit.SECONDS);

            assertEquals(40, found.size());
            for (int i = 0; i < positions.size(); i++) {
                assertArrayEquals(values.get(i), found.get(positions.get(i).commandId()), "record " + i);
            }
            long read = records.readsFromKafka();
            assertTrue(read >= 34, "at most 6 of 300 bytes fit in 2,000: read again " + read);
            // What was read is the most recently used now, within the budget.
            assertTrue(records.keptBytes() <= 2_000, "kept " + records.keptBytes() + " bytes");
            Map<String, byte[]> again = records.records(positions.subList(0, 3)).get(15, TimeUnit.SECONDS);
            assertEquals(3, again.size());
            assertEquals(read + 3, records.readsFromKafka(), "the first ones were pushed out by the later reads");
        }
    }

    @Test
    void aRecordTheTopicNoLongerHasIsLeftOutAndTheOthersAreFound() throws Exception {
        String topic = "command-records-" + UUID.randomUUID();
        List<byte[]> values = new ArrayList<>();
        List<CommandRecords.Position> positions = write(topic, 10, values);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", SharedKafka.bootstrapServers()))) {
            // Retention took partition 0's first two records (offsets 0 and 1: commands 0 and 2).
            admin.deleteRecords(Map.of(new TopicPartition(topic, 0), RecordsToDelete.beforeOffset(2))).all()
                    .get(30, TimeUnit.SECONDS);
        }
        try (CommandRecords records = new CommandRecords(topic, 0,
                Map.of("bootstrap.servers", SharedKafka.bootstrapServers()))) {
            Map<String, byte[]> found = records.records(positions).get(15, TimeUnit.SECONDS);

            assertEquals(8, found.size(), "commands 0 and 2 are gone");
            for (int i = 0; i < positions.size(); i++) {
                assertEquals(i != 0 && i != 2, found.containsKey(positions.get(i).commandId()), "command " + i);
            }
            assertEquals(0, records.keptBytes(), "a budget of 0 keeps nothing");
        }
    }

    @Test
    void aTopicThatDoesNotAnswerFailsTheReadWithinItsTimeSayingSo() throws Exception {
        try (CommandRecords records = new CommandRecords("hookline.commands", 1_000, Duration.ofSeconds(2),
                Map.of("bootstrap.servers", "127.0.0.1:1", "reconnect.backoff.max.ms", 500))) {
            long start = System.nanoTime();
            ExecutionException failed = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> records.records(List.of(new CommandRecords.Position("cmd_1", 0, 7))).get(30,
                            TimeUnit.SECONDS));
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            CommandRecords.Unavailable unavailable = assertInstanceOf(CommandRecords.Unavailable.class,
                    failed.getCause());
            assertEquals("hookline.commands did not answer within 2.0 s", unavailable.getMessage());
            assertTrue(took.compareTo(Duration.ofSeconds(2)) >= 0 && took.compareTo(Duration.ofSeconds(5)) < 0,
                    "took " + took);
            // A record in memory is still answered from it.
            records.keep("cmd_2", new byte[] {1, 2, 3});
            assertArrayEquals(new byte[] {1, 2, 3}, records.records(List.of(new CommandRecords.Position("cmd_2", 0,
                    8))).get(1, TimeUnit.SECONDS).get("cmd_2"));
        }
    }
}
