package io.hookline.processor.rules;

import static io.hookline.processor.rules.Values.bool;
import static io.hookline.processor.rules.Values.mapping;
import static io.hookline.processor.rules.Values.unknownKeys;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.hookline.processor.match.Glob;
import io.hookline.processor.notify.Receiver;
import io.hookline.processor.retention.Policy;
import io.hookline.processor.retention.SpanDuration;

/**
 * {@code retention:}: which restore points of which jobs to keep, with restic's keys and semantics (or borg's, with
 * {@code style: borg}). The first entry whose {@code match} fits a job is its policy.
 *
 * <pre>
 * retention:
 *   - match: "esxi-prod/*"
 *     keep-daily: 7
 *     keep-weekly: 4
 *     keep-monthly: 12
 *     keep-yearly: unlimited
 *     keep-within: 2d
 *     keep-tag: [[monthly-archive]]
 *     time-zone: Europe/Berlin
 *     enforce: true                                       # default false: decide and report only
 *     prune: {agent: esxi01, action: prune-xsibackup}     # or {webhook: <receiver>}: the list of prunes
 * </pre>
 */
final class RetentionSection {

    static final List<String> COUNTS = List.of("keep-last", "keep-hourly", "keep-daily", "keep-weekly", "keep-monthly",
            "keep-yearly");
    static final List<String> WITHINS = List.of("keep-within", "keep-within-hourly", "keep-within-daily",
            "keep-within-weekly", "keep-within-monthly", "keep-within-yearly");
    private static final Set<String> KEYS;

    static {
        List<String> keys = new ArrayList<>(COUNTS);
        keys.addAll(WITHINS);
        keys.addAll(List.of("match", "keep-tag", "time-zone", "style", "keep-at-least", "enforce", "prune"));
        KEYS = Set.copyOf(keys);
    }

    private RetentionSection() {
    }

    static List<RetentionRule> parse(YamlTree node, List<Receiver> receivers, List<String> problems) {
        List<RetentionRule> rules = new ArrayList<>();
        for (YamlTree entry : Values.list(node, "retention", "- match: \"esxi-prod/*\"", problems)) {
            RetentionRule rule = rule(entry, receivers, problems);
            if (rule != null) {
                rules.add(rule);
            }
        }
        return List.copyOf(rules);
    }

    /** One entry; {@code receivers} null: a policy on its own (the simulator's), whose prune: is not looked at. */
    static RetentionRule rule(YamlTree entry, List<Receiver> receivers, List<String> problems) {
        Map<String, YamlTree> r = mapping(entry, "a retention policy", problems);
        if (r == null) {
            return null;
        }
        int before = problems.size();
        unknownKeys(r, KEYS, problems);
        YamlTree match = r.get("match");
        Glob glob = null;
        if (match == null || match.text() == null || match.text().isBlank()) {
            problems.add("line " + entry.line() + ": a retention policy needs match: <job key pattern>, e.g. "
                    + "\"esxi-prod/*\"");
        } else {
            try {
                glob = Glob.of(match.text());
            } catch (IllegalArgumentException e) {
                problems.add("line " + match.line() + ": " + e.getMessage());
            }
        }
        Policy.Style style = Policy.Style.RESTIC;
        YamlTree styleNode = r.get("style");
        if (styleNode != null) {
            String text = String.valueOf(styleNode.text());
            if (text.equals("borg")) {
                style = Policy.Style.BORG;
            } else if (!text.equals("restic")) {
                problems.add("line " + styleNode.line() + ": style is restic (each rule counts on its own, as restic "
                        + "forget) or borg (later rules skip periods an earlier one kept, as borg prune), not '"
                        + text + "'");
            }
        }
        int[] counts = new int[6];
        for (int i = 0; i < 6; i++) {
            counts[i] = count(r.get(COUNTS.get(i)), problems);
        }
        SpanDuration[] spans = new SpanDuration[6];
        for (int i = 0; i < 6; i++) {
            spans[i] = span(r.get(WITHINS.get(i)), problems);
            if (i > 0 && spans[i] != null && style == Policy.Style.BORG) {
                problems.add("line " + r.get(WITHINS.get(i)).line() + ": " + WITHINS.get(i) + " is restic's; borg "
                        + "prune has keep-within only (use style: restic)");
            }
        }
        List<List<String>> tags = tags(r.get("keep-tag"), problems);
        ZoneId zone = null;
        YamlTree zoneNode = r.get("time-zone");
        if (zoneNode != null) {
            try {
                zone = ZoneId.of(String.valueOf(zoneNode.text()));
            } catch (DateTimeException e) {
                problems.add("line " + zoneNode.line() + ": '" + zoneNode.text() + "' is not a time zone (e.g. "
                        + "Europe/Berlin)");
            }
        }
        int keepAtLeast = Values.integer(r.get("keep-at-least"), 1, problems);
        if (r.get("keep-at-least") != null && keepAtLeast < 1) {
            problems.add("line " + r.get("keep-at-least").line() + ": keep-at-least is at least 1: the newest good "
                    + "restore point is never pruned");
        }
        boolean enforce = receivers != null && bool(r.get("enforce"), false, problems);
        Chain.Action prune = null;
        if (receivers != null && r.get("prune") != null) {
            prune = ChainsSection.action(r.get("prune"), receivers, problems);
        }
        if (enforce && prune == null && r.get("prune") == null) {
            problems.add("line " + r.get("enforce").line() + ": enforce: true needs prune: {agent: <agent>, action: "
                    + "<its prune action>} or prune: {webhook: <receiver>}: where the prunes are sent");
        }
        Policy policy = new Policy(style, counts[0], counts[1], counts[2], counts[3], counts[4], counts[5], spans[0],
                spans[1], spans[2], spans[3], spans[4], spans[5], tags, zone);
        if (problems.size() == before && policy.empty()) {
            problems.add("line " + entry.line() + ": the policy keeps nothing (it would prune every restore point): "
                    + "give it keep-last, keep-daily, ... or keep-within");
        }
        return problems.size() > before ? null : new RetentionRule(match.text(), glob, policy, keepAtLeast, enforce,
                prune, entry.line());
    }

    private static int count(YamlTree node, List<String> problems) {
        if (node == null) {
            return 0;
        }
        String text = String.valueOf(node.text()).strip();
        if (text.equals("unlimited")) {
            return Policy.UNLIMITED;
        }
        try {
            int count = Integer.parseInt(text);
            if (count < 0) {
                throw new NumberFormatException();
            }
            return count;
        } catch (NumberFormatException e) {
            problems.add("line " + node.line() + ": '" + text + "' is not a count: a whole number from 0, or unlimited");
            return 0;
        }
    }

    private static SpanDuration span(YamlTree node, List<String> problems) {
        if (node == null) {
            return null;
        }
        try {
            return SpanDuration.parse(String.valueOf(node.text()));
        } catch (IllegalArgumentException e) {
            problems.add("line " + node.line() + ": " + e.getMessage() + " (m is months, as in restic)");
            return null;
        }
    }

    /** {@code keep-tag: [[a, b], [c]]} or {@code ["a,b", "c"]}: all tags of one entry, any entry. */
    private static List<List<String>> tags(YamlTree node, List<String> problems) {
        if (node == null) {
            return List.of();
        }
        List<YamlTree> entries = node.list() != null ? node.list() : List.of(node);
        List<List<String>> tags = new ArrayList<>();
        for (YamlTree entry : entries) {
            List<String> all = new ArrayList<>();
            if (entry.list() != null) {
                entry.list().forEach(tag -> all.add(String.valueOf(tag.text()).strip()));
            } else if (entry.text() != null) {
                all.addAll(Arrays.stream(entry.text().split(",", -1)).map(String::strip).toList());
            } else {
                problems.add("line " + entry.line() + ": keep-tag entries are tag lists: [foo, bar] or \"foo,bar\"");
                continue;
            }
            if (all.stream().anyMatch(tag -> tag.length() > 256)) {
                problems.add("line " + entry.line() + ": a tag is at most 256 characters");
                continue;
            }
            tags.add(List.copyOf(all));
        }
        return tags;
    }
}
