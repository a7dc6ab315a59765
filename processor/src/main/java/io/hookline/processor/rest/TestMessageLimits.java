package io.hookline.processor.rest;

import jakarta.enterprise.context.ApplicationScoped;

import io.hookline.processor.ProcessorConfig;
import io.hookline.processor.notify.PerKeyRate;

/** One window of test messages per receiver for the whole application, whatever instance of the resource asks. */
@ApplicationScoped
public class TestMessageLimits {

    private final PerKeyRate perReceiver;

    public TestMessageLimits(ProcessorConfig config) {
        this.perReceiver = new PerKeyRate(Math.max(1, config.api().testMessagesPerMinute()),
                java.time.Duration.ofMinutes(1), 10_000);
    }

    public PerKeyRate perReceiver() {
        return perReceiver;
    }
}
