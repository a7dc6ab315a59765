package io.hookline.processor.rules;

import java.time.Duration;

import io.hookline.processor.match.Glob;

/**
 * What is expected of the jobs whose key matches {@code pattern} ({@code *} any characters, {@code ?} one):
 * a schedule (missed runs), a maximum duration (stuck runs), N failures in M runs, anomaly detection.
 */
public record JobRule(String pattern, Glob glob, Schedule schedule, Duration maxDuration, int failures,
        int outOf, boolean anomaly, int line) {

    public boolean matches(String jobKey) {
        return glob.matches(jobKey);
    }

    public static Glob glob(String pattern) {
        return Glob.of(pattern);
    }
}
