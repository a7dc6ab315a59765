package io.hookline.processor.rules;

import io.hookline.processor.match.Glob;
import io.hookline.processor.retention.Policy;

/**
 * A {@code retention:} entry: the policy for the jobs whose key matches {@code pattern}, the floor of good restore
 * points never crossed ({@code keep-at-least}), and whether prunes are sent ({@code enforce}).
 */
public record RetentionRule(String pattern, Glob glob, Policy policy, int keepAtLeast, boolean enforce, int line) {

    public boolean matches(String jobKey) {
        return glob.matches(jobKey);
    }
}
