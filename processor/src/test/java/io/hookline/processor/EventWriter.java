package io.hookline.processor;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import io.hookline.devstack.SharedKafka;
import io.hookline.schema.BackupEvent;
import io.hookline.schema.cloudevents.CloudEventHeaders;
import io.hookline.schema.serde.AvroSerde;

/** Writes events to hookline.events the way the gateway does: keyed by job, single-object Avro, CloudEvents headers. */
public final class EventWriter implements AutoCloseable {

    private final KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
            Map.of("bootstrap.servers", SharedKafka.bootstrapServers(), "acks", "all"),
            new StringSerializer(), new ByteArraySerializer());
    private final AvroSerde<BackupEvent> serde = AvroSerde.of(BackupEvent.class);

    public void write(String topic, BackupEvent event) throws Exception {
        producer.send(new ProducerRecord<>(topic, null, event.getJobKey(), serde.encode(event),
                CloudEventHeaders.forEvent(event))).get(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        producer.close();
    }
}
