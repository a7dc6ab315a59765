package io.hookline.processor.rules;

import java.time.Duration;
import java.util.regex.Pattern;

/**
 * What is expected of the jobs whose key matches {@code pattern} ({@code *} any characters, {@code ?} one):
 * a schedule (missed runs), a maximum duration (stuck runs), N failures in M runs, anomaly detection.
 */
public record JobRule(String pattern, Pattern regex, Schedule schedule, Duration maxDuration, int failures,
        int outOf, boolean anomaly, int line) {

    public boolean matches(String jobKey) {
        return regex.matcher(jobKey).matches();
    }

    public static Pattern glob(String pattern) {
        StringBuilder regex = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString());
    }
}
