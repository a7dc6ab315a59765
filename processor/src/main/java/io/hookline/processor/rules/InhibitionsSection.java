package io.hookline.processor.rules;

import static io.hookline.processor.rules.Values.mapping;
import static io.hookline.processor.rules.Values.unknownKeys;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.hookline.processor.match.Matchers;

/** {@code inhibit:}: which firing alerts mute which others. */
final class InhibitionsSection {

    private InhibitionsSection() {
    }

    static List<Inhibition> parse(YamlTree node, List<String> problems) {
        List<Inhibition> inhibitions = new ArrayList<>();
        for (YamlTree entry : Values.list(node, "inhibit", "- source: {...}, target: {...}, equal: [host]", problems)) {
            Map<String, YamlTree> i = mapping(entry, "an inhibition", problems);
            if (i == null) {
                continue;
            }
            unknownKeys(i, Set.of("source", "target", "equal"), problems);
            Matchers source = matcher(i.get("source"), entry, "source", problems);
            Matchers target = matcher(i.get("target"), entry, "target", problems);
            List<String> equal = equal(i.get("equal"), problems);
            if (source != null && target != null) {
                inhibitions.add(new Inhibition(source, target, equal, entry.line()));
            }
        }
        return List.copyOf(inhibitions);
    }

    private static List<String> equal(YamlTree node, List<String> problems) {
        List<String> equal = new ArrayList<>();
        if (node == null) {
            return equal;
        }
        if (node.list() == null) {
            problems.add("line " + node.line() + ": equal must be a list such as [host]");
            return equal;
        }
        for (YamlTree field : node.list()) {
            if (!Inhibition.EQUAL_KEYS.contains(String.valueOf(field.text()))) {
                problems.add("line " + field.line() + ": equal takes " + Inhibition.EQUAL_KEYS.stream().sorted().toList()
                        + ", not '" + field.text() + "'");
            } else {
                equal.add(field.text());
            }
        }
        return List.copyOf(equal);
    }

    private static Matchers matcher(YamlTree node, YamlTree entry, String what, List<String> problems) {
        if (node == null) {
            problems.add("line " + entry.line() + ": an inhibition needs " + what + ": {condition: ..., host: ...}");
            return null;
        }
        Map<String, YamlTree> m = mapping(node, what, problems);
        return m == null ? null : Values.matchers(m, node, problems);
    }
}
