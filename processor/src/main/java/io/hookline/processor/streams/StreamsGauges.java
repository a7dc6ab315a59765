package io.hookline.processor.streams;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.kafka.streams.KafkaStreams;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;

/**
 * Whether the processor's Kafka Streams runs, read when Prometheus scrapes: {@code hookline_streams_running} (1
 * while it runs, 0 while it starts, rebalances or has stopped). {@code hookline_alerts_firing} is the alert
 * reactor's own count.
 */
@ApplicationScoped
public class StreamsGauges {

    void register(@Observes StartupEvent start, KafkaStreams streams, MeterRegistry metrics) {
        Gauge.builder("hookline.streams.running", streams, s -> s.state() == KafkaStreams.State.RUNNING ? 1 : 0)
                .description("1 while Kafka Streams runs; 0 while it starts, rebalances or has stopped")
                .register(metrics);
    }
}
