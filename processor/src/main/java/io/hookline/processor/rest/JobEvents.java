package io.hookline.processor.rest;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.common.annotation.Identifier;

import io.hookline.processor.ProcessorConfig;
import io.hookline.schema.BackupEvent;
import io.hookline.schema.cloudevents.CloudEventHeaders;
import io.hookline.schema.serde.AvroSerde;
import io.hookline.schema.topics.Topics;

/**
 * What an operator does to a job through the API (a pin) goes to hookline.events like any event, so that the fold
 * decides it, every instance sees it and a replay of the log repeats it.
 */
@ApplicationScoped
public class JobEvents {

    private final String topic;
    private final KafkaProducer<String, byte[]> producer;
    private final AvroSerde<BackupEvent> serde = AvroSerde.of(BackupEvent.class);

    public JobEvents(ProcessorConfig config, @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig) {
        this.topic = new Topics(config.topics().prefix()).events();
        this.producer = io.hookline.runtime.topics.Producers.acknowledged(kafkaConfig, "hookline-processor-events");
    }

    void onStop(@Observes ShutdownEvent stop) {
        producer.close(java.time.Duration.ofSeconds(5));
    }

    /** Appends the event; completes once the broker has it. */
    public CompletableFuture<RecordMetadata> append(BackupEvent event) {
        CompletableFuture<RecordMetadata> acked = new CompletableFuture<>();
        producer.send(new ProducerRecord<>(topic, null, event.getReceivedAt().toEpochMilli(), event.getJobKey(),
                serde.encode(event), CloudEventHeaders.forEvent(event)), (metadata, error) -> {
                    if (error != null) {
                        acked.completeExceptionally(error);
                    } else {
                        acked.complete(metadata);
                    }
                });
        return acked;
    }
}
