package io.hookline.schema.topics;

import java.util.List;
import java.util.Map;

/**
 * Hookline's topic names. A prefix (default {@code hookline.}) lets several installations share a cluster.
 */
public record Topics(String prefix) {

    public static final String DEFAULT_PREFIX = "hookline.";

    public Topics {
        if (prefix == null) {
            prefix = DEFAULT_PREFIX;
        }
    }

    public static Topics withDefaultPrefix() {
        return new Topics(DEFAULT_PREFIX);
    }

    /** Every accepted hook, normalized: the source of truth. Key: job key. */
    public String events() {
        return prefix + "events";
    }

    /** Every hook that could not be accepted, with the reason. Key: source name. */
    public String rejected() {
        return prefix + "rejected";
    }

    /** Compacted: the fold of each job's events. Key: job key. */
    public String jobState() {
        return prefix + "job-state";
    }

    public String alerts() {
        return prefix + "alerts";
    }

    public String deliveries() {
        return prefix + "deliveries";
    }

    /** Compacted: the active silences, keyed by id. */
    public String silences() {
        return prefix + "silences";
    }

    /** Compacted: notifications given up on, kept for replay. */
    public String deadLetters() {
        return prefix + "dead-letters";
    }

    /** Records of hookline.events the processor could not fold, set aside. Key: quarantineId. */
    public String quarantine() {
        return prefix + "quarantine";
    }

    /** Every change an operator made through the processor's API: who, when, what. Key: the operator. */
    public String audit() {
        return prefix + "audit";
    }

    /** What chain rules start, for the host agents (key: the agent) and webhook actions. */
    public String commands() {
        return prefix + "commands";
    }

    /**
     * The processor's own: the ends of upstream runs on their way to the fan-in chain rule that waits for them
     * (key: the rule), so that every upstream of one rule meets in one task.
     */
    public String chainFanIn() {
        return prefix + "chain-fan-in";
    }

    /** A topic to create when it is missing: its name and the configs that matter to its contract. */
    public record Spec(String name, Map<String, String> configs) {
    }

    /**
     * The topics and the configs their contracts need. Retention of the event log is the operator's choice
     * ({@code eventsRetentionMs}, -1 for forever).
     */
    public List<Spec> specs(long eventsRetentionMs) {
        Map<String, String> compacted = Map.of("cleanup.policy", "compact", "min.compaction.lag.ms", "60000");
        return List.of(
                new Spec(events(), Map.of("retention.ms", Long.toString(eventsRetentionMs))),
                new Spec(rejected(), Map.of("retention.ms", Long.toString(30L * 24 * 3600 * 1000))),
                new Spec(jobState(), compacted),
                new Spec(alerts(), Map.of()),
                new Spec(deliveries(), Map.of()),
                new Spec(silences(), compacted),
                new Spec(deadLetters(), compacted),
                new Spec(commands(), Map.of("retention.ms", Long.toString(30L * 24 * 3600 * 1000))),
                new Spec(chainFanIn(), Map.of("retention.ms", Long.toString(7L * 24 * 3600 * 1000))),
                new Spec(quarantine(), Map.of("retention.ms", Long.toString(90L * 24 * 3600 * 1000))),
                new Spec(audit(), Map.of("retention.ms", "-1")));
    }
}
