package io.hookline.processor.rules;

import static io.hookline.processor.rules.Values.mapping;
import static io.hookline.processor.rules.Values.unknownKeys;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.hookline.processor.match.Matchers;

/** {@code grouping:}, {@code routes:} and {@code default-receiver:}: which receivers an alert goes to, in what batches. */
final class RoutesSection {

    private RoutesSection() {
    }

    static GroupingSpec grouping(YamlTree node, List<String> problems) {
        if (node == null) {
            return GroupingSpec.NONE;
        }
        Map<String, YamlTree> g = mapping(node, "grouping", problems);
        if (g == null) {
            return GroupingSpec.NONE;
        }
        unknownKeys(g, GroupingSpec.KEYS, problems);
        return GroupingSpec.parse(g, problems);
    }

    static List<Route> routes(YamlTree node, Set<String> receivers, GroupingSpec defaults, List<String> problems) {
        List<Route> routes = new ArrayList<>();
        for (YamlTree entry : Values.list(node, "routes", "- match: {...}, receiver: ...", problems)) {
            Map<String, YamlTree> r = mapping(entry, "a route", problems);
            if (r == null) {
                continue;
            }
            Set<String> keys = new HashSet<>(GroupingSpec.KEYS);
            keys.addAll(Set.of("match", "receiver", "continue"));
            unknownKeys(r, keys, problems);
            String receiver = r.get("receiver") == null ? null : r.get("receiver").text();
            if (receiver == null || !receivers.contains(receiver)) {
                problems.add("line " + entry.line() + ": route receiver '" + receiver + "' is not one of the receivers "
                        + receivers.stream().sorted().toList());
                continue;
            }
            Matchers match = Matchers.ALL;
            YamlTree matchNode = r.get("match");
            if (matchNode != null) {
                Map<String, YamlTree> m = mapping(matchNode, "match", problems);
                if (m != null) {
                    Matchers parsed = Values.matchers(m, matchNode, problems);
                    match = parsed == null ? Matchers.ALL : parsed;
                }
            }
            Grouping grouping = GroupingSpec.parse(r, problems).resolve(defaults);
            routes.add(new Route(match, receiver, Values.bool(r.get("continue"), false, problems), grouping,
                    entry.line()));
        }
        return List.copyOf(routes);
    }

    static String defaultReceiver(YamlTree node, Set<String> receivers, List<String> problems) {
        if (node == null) {
            return null;
        }
        String name = node.text();
        if (name == null || !receivers.contains(name)) {
            problems.add("line " + node.line() + ": default-receiver '" + name + "' is not one of the receivers "
                    + receivers.stream().sorted().toList());
        }
        return name;
    }
}
