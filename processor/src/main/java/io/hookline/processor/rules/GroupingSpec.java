package io.hookline.processor.rules;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.hookline.processor.match.Matchers;

/**
 * The grouping keys as written, at the top level or on a route; what a route leaves out it takes from the top
 * level, and what neither says takes Alertmanager's timings when alerts are grouped, none when each is alone.
 */
record GroupingSpec(List<String> by, Duration groupWait, Duration groupInterval, Duration repeat,
        boolean neverRepeat) {

    static final GroupingSpec NONE = new GroupingSpec(null, null, null, null, false);
    static final Set<String> KEYS = Set.of("group-by", "group-wait", "group-interval", "repeat-interval");
    static final String EACH_ALERT = "...";

    static GroupingSpec parse(Map<String, YamlTree> node, List<String> problems) {
        List<String> by = null;
        YamlTree byNode = node.get("group-by");
        if (byNode != null) {
            if (byNode.list() == null) {
                problems.add("line " + byNode.line() + ": group-by must be a list such as [host, condition], or ['...']"
                        + " for every alert on its own");
            } else {
                by = new ArrayList<>();
                for (YamlTree label : byNode.list()) {
                    String text = String.valueOf(label.text());
                    if (!Matchers.KEYS.contains(text) && !text.equals(EACH_ALERT)) {
                        problems.add("line " + label.line() + ": group-by takes " + Matchers.KEYS.stream().sorted().toList()
                                + " or '...', not '" + text + "'");
                    } else if (by.contains(text)) {
                        problems.add("line " + label.line() + ": group-by names '" + text + "' twice");
                    } else {
                        by.add(text);
                    }
                }
                if (by.contains(EACH_ALERT) && by.size() > 1) {
                    problems.add("line " + byNode.line() + ": group-by ['...'] puts every alert on its own: it takes"
                            + " no other label");
                }
                by = List.copyOf(by);
            }
        }
        YamlTree repeatNode = node.get("repeat-interval");
        boolean never = repeatNode != null && "never".equals(repeatNode.text());
        return new GroupingSpec(by, Values.optionalDuration(node.get("group-wait"), problems),
                Values.optionalDuration(node.get("group-interval"), problems),
                never ? null : Values.optionalDuration(repeatNode, problems), never);
    }

    Grouping resolve(GroupingSpec defaults) {
        List<String> labels = by != null ? by : defaults.by != null ? defaults.by : List.of(EACH_ALERT);
        boolean perAlert = labels.contains(EACH_ALERT);
        Duration waitFor = first(groupWait, defaults.groupWait, perAlert ? Duration.ZERO : Grouping.WAIT);
        Duration batchEvery = first(groupInterval, defaults.groupInterval, perAlert ? Duration.ZERO : Grouping.INTERVAL);
        Duration repeatEvery = neverRepeat ? null : repeat != null ? repeat
                : defaults.neverRepeat ? null : first(null, defaults.repeat, perAlert ? null : Grouping.REPEAT);
        return new Grouping(perAlert ? List.of() : labels, perAlert, waitFor, batchEvery, repeatEvery);
    }

    private static Duration first(Duration own, Duration inherited, Duration fallback) {
        return own != null ? own : inherited != null ? inherited : fallback;
    }
}
