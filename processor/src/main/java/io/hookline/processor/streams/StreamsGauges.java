package io.hookline.processor.streams;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import io.hookline.processor.alerts.AlertReactor;
import io.hookline.schema.AlertEvent;
import io.hookline.schema.AlertStatus;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;

/**
 * What a dashboard shows of the processor's state, read when Prometheus scrapes: {@code hookline_streams_running} (1
 * while Kafka Streams runs, 0 while it starts, rebalances or has stopped) and {@code hookline_alerts_firing} (the
 * firing alerts this instance holds: sum them over instances).
 */
@ApplicationScoped
public class StreamsGauges {

    void register(@Observes StartupEvent start, KafkaStreams streams, MeterRegistry metrics) {
        Gauge.builder("hookline.streams.running", streams, s -> s.state() == KafkaStreams.State.RUNNING ? 1 : 0)
                .description("1 while Kafka Streams runs; 0 while it starts, rebalances or has stopped")
                .register(metrics);
        Gauge.builder("hookline.alerts.firing", streams, StreamsGauges::firing)
                .description("Firing alerts held by this instance (sum over instances)")
                .register(metrics);
    }

    static double firing(KafkaStreams streams) {
        try {
            ReadOnlyKeyValueStore<String, AlertEvent> store = streams.store(StoreQueryParameters.fromNameAndType(
                    AlertReactor.STORE, QueryableStoreTypes.keyValueStore()));
            long count = 0;
            try (KeyValueIterator<String, AlertEvent> all = store.all()) {
                while (all.hasNext()) {
                    if (all.next().value.getStatus() == AlertStatus.FIRING) {
                        count++;
                    }
                }
            }
            return count;
        } catch (RuntimeException notReady) {
            return Double.NaN;
        }
    }
}
