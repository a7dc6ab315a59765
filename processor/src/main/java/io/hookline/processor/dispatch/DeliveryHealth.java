package io.hookline.processor.dispatch;

import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness of alert delivery: down, with the reason per topic, while its consumer of hookline.alerts or
 * hookline.commands has stopped and waits to read again; no alert goes out meanwhile.
 */
@Readiness
@ApplicationScoped
public class DeliveryHealth implements HealthCheck {

    @Inject
    DeliveryPipeline pipeline;

    @Override
    public HealthCheckResponse call() {
        Map<String, String> failures = pipeline.readFailures();
        HealthCheckResponseBuilder response = HealthCheckResponse.named("Hookline alert delivery").status(failures.isEmpty());
        failures.forEach(response::withData);
        return response.build();
    }
}
