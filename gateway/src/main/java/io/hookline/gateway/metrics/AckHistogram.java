package io.hookline.gateway.metrics;

import java.time.Duration;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;

/**
 * The time from a hook's arrival to the broker's acknowledgement ({@code hookline_hook_ack_seconds}) as a histogram,
 * so that a dashboard can show its p50 and p99 across gateway replicas ({@code histogram_quantile} over
 * {@code _bucket}), from 1 ms to 10 s.
 */
public class AckHistogram {

    @Produces
    @Singleton
    MeterFilter ackHistogram() {
        return new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                if (!id.getName().equals("hookline.hook.ack")) {
                    return config;
                }
                return DistributionStatisticConfig.builder()
                        .percentilesHistogram(true)
                        .minimumExpectedValue((double) Duration.ofMillis(1).toNanos())
                        .maximumExpectedValue((double) Duration.ofSeconds(10).toNanos())
                        .build()
                        .merge(config);
            }
        };
    }
}
