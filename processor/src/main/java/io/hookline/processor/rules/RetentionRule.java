package io.hookline.processor.rules;

import io.hookline.processor.match.Glob;
import io.hookline.processor.retention.Policy;

/**
 * A {@code retention:} entry: the policy for the jobs whose key matches {@code pattern}, the floor of good restore
 * points never crossed ({@code keep-at-least}), whether prunes are sent ({@code enforce}) and where to
 * ({@code prune}: an agent's action, run once per restore point, or a webhook that receives the list; null when the
 * entry names none).
 */
public record RetentionRule(String pattern, Glob glob, Policy policy, int keepAtLeast, boolean enforce,
        Chain.Action prune, int line) {

    /** What a prune command's cause names as its rule. */
    public String ruleName() {
        return "retention:" + pattern;
    }

    public boolean matches(String jobKey) {
        return glob.matches(jobKey);
    }
}
