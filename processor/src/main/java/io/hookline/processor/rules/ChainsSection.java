package io.hookline.processor.rules;

import static io.hookline.processor.rules.Values.integer;
import static io.hookline.processor.rules.Values.mapping;
import static io.hookline.processor.rules.Values.optionalDuration;
import static io.hookline.processor.rules.Values.unknownKeys;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import io.hookline.processor.match.Glob;
import io.hookline.runtime.text.Excerpt;

/**
 * {@code chains:}: what runs when a job ends. Jobs a rule names need not exist yet (they appear with their first
 * hook), but rules that would trigger each other in a circle are refused, naming every rule of the circle.
 *
 * <pre>
 * chains:
 *   - name: offsite-after-nightly
 *     when: {job: "esxi-prod/nightly", on: succeeded}
 *     delay: 5m
 *     window: {not-before: "01:00", not-after: "06:00", time-zone: Europe/Berlin}
 *     expire-after: 2h
 *     run:
 *       - {agent: nas01, action: restic-copy, parameters: {repo: offsite}}
 *   - name: verify-when-both-copied
 *     after:
 *       - {job: "esxi-prod/nightly", on: succeeded}
 *       - {job: "nas01/restic-copy", on: [succeeded, warning]}
 *     within: 12h
 *     run:
 *       - {agent: pve01, action: verify}
 *       - {webhook: ci-server}       # a receiver of type webhook: signed per Standard Webhooks, retried
 * </pre>
 */
final class ChainsSection {

    static final Duration DEFAULT_EXPIRE_AFTER = Duration.ofHours(1);
    static final Duration DEFAULT_WITHIN = Duration.ofHours(24);
    static final int DEFAULT_MAX_DEPTH = 5;
    /** The parameters every command carries from the run that caused it; a rule may not redefine them. */
    static final Set<String> BUILT_IN_PARAMETERS = Set.of("job", "run-id", "outcome", "exit-code", "bytes",
            "restore-point", "restore-point-location", "rule", "upstream-jobs", "restore-point-time",
            "restore-point-stamp", "restore-point-host", "restore-point-tags", "policy", "attempt");
    /** The job every agent's own polls are folded into: no action may fold its runs there. */
    static final String AGENT_JOB = "agent";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern PARAMETER = Pattern.compile("[a-z][a-z0-9-]{0,31}");
    private static final Set<String> KEYS = Set.of("name", "when", "after", "within", "delay", "window",
            "expire-after", "max-depth", "run");

    private ChainsSection() {
    }

    static List<Chain> parse(YamlTree node, List<io.hookline.processor.notify.Receiver> receivers, List<String> problems) {
        List<Chain> chains = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (YamlTree entry : Values.list(node, "chains", "- name: ...", problems)) {
            Chain chain = chain(entry, receivers, problems);
            if (chain == null) {
                continue;
            }
            if (!names.add(chain.name())) {
                problems.add("line " + chain.line() + ": a chain named '" + chain.name() + "' is already defined: "
                        + "give each its own name (a command's id is made of it)");
                continue;
            }
            chains.add(chain);
        }
        problems.addAll(cycles(chains));
        return List.copyOf(chains);
    }

    private static Chain chain(YamlTree entry, List<io.hookline.processor.notify.Receiver> receivers,
            List<String> problems) {
        Map<String, YamlTree> c = mapping(entry, "a chain", problems);
        if (c == null) {
            return null;
        }
        int before = problems.size();
        unknownKeys(c, KEYS, problems);
        String name = name(c.get("name"), entry, "a chain needs name: <name>, e.g. offsite-after-nightly", problems);
        List<Chain.Upstream> upstream = new ArrayList<>();
        YamlTree when = c.get("when");
        YamlTree after = c.get("after");
        if ((when == null) == (after == null)) {
            problems.add("line " + entry.line() + ": a chain has either when: {job: ..., on: ...} (one upstream job) "
                    + "or after: [{job: ..., on: ...}, ...] (several)");
        } else if (when != null) {
            Chain.Upstream one = upstream(when, problems);
            if (one != null) {
                upstream.add(one);
            }
        } else {
            List<YamlTree> entries = Values.list(after, "after", "- {job: ..., on: succeeded}", problems);
            if (after.list() != null && entries.size() < 2) {
                problems.add("line " + after.line() + ": after: needs at least two upstream jobs (one is when:)");
            }
            for (YamlTree item : entries) {
                Chain.Upstream one = upstream(item, problems);
                if (one != null) {
                    upstream.add(one);
                }
            }
        }
        if (when != null && c.get("within") != null) {
            problems.add("line " + c.get("within").line() + ": within: is for after: (several upstream jobs)");
        }
        Duration within = positive(c.get("within"), DEFAULT_WITHIN, problems);
        Duration delay = c.get("delay") == null ? Duration.ZERO : optionalDuration(c.get("delay"), problems);
        Duration expireAfter = positive(c.get("expire-after"), DEFAULT_EXPIRE_AFTER, problems);
        Chain.Window window = c.get("window") == null ? Chain.Window.ANY : window(c.get("window"), problems);
        int maxDepth = integer(c.get("max-depth"), DEFAULT_MAX_DEPTH, problems);
        if (c.get("max-depth") != null && (maxDepth < 1 || maxDepth > 20)) {
            problems.add("line " + c.get("max-depth").line() + ": max-depth is between 1 and 20, not " + maxDepth);
        }
        List<Chain.Action> actions = new ArrayList<>();
        YamlTree run = c.get("run");
        if (run == null) {
            problems.add("line " + entry.line() + ": a chain needs run: [{agent: <agent>, action: <action>}] or "
                    + "[{webhook: <receiver>}]");
        }
        for (YamlTree item : Values.list(run, "run", "- {agent: nas01, action: restic-copy}", problems)) {
            Chain.Action action = action(item, receivers, problems);
            if (action != null) {
                actions.add(action);
            }
        }
        if (run != null && run.list() != null && run.list().isEmpty()) {
            problems.add("line " + run.line() + ": run: lists no action");
        }
        if (problems.size() > before) {
            return null;
        }
        return new Chain(name, upstream, within, delay, window, expireAfter, maxDepth, actions, entry.line());
    }

    private static Chain.Upstream upstream(YamlTree node, List<String> problems) {
        Map<String, YamlTree> u = mapping(node, "an upstream job", problems);
        if (u == null) {
            return null;
        }
        unknownKeys(u, Set.of("job", "on"), problems);
        YamlTree job = u.get("job");
        if (job == null || job.text() == null || job.text().isBlank()) {
            problems.add("line " + node.line() + ": an upstream needs job: <job key pattern>, e.g. \"esxi-prod/nightly\"");
            return null;
        }
        Glob glob;
        try {
            glob = Glob.of(job.text());
        } catch (IllegalArgumentException e) {
            problems.add("line " + job.line() + ": " + e.getMessage());
            return null;
        }
        YamlTree on = u.get("on");
        if (on == null) {
            problems.add("line " + node.line() + ": an upstream needs on: succeeded | warning | failed | finished | "
                    + "exit-code <n>");
            return null;
        }
        Set<String> outcomes = new LinkedHashSet<>();
        Set<Integer> exitCodes = new LinkedHashSet<>();
        List<YamlTree> words = on.list() != null ? on.list() : List.of(on);
        for (YamlTree word : words) {
            String text = word.text() == null ? "" : word.text().strip();
            if (Chain.OUTCOMES.contains(text)) {
                outcomes.add(text);
            } else if (text.startsWith("exit-code ")) {
                for (String code : text.substring("exit-code ".length()).split(",")) {
                    try {
                        exitCodes.add(Integer.valueOf(code.strip()));
                    } catch (NumberFormatException e) {
                        problems.add("line " + word.line() + ": '" + code.strip() + "' in '" + text
                                + "' is not an exit code (exit-code 0 or exit-code 1,2)");
                    }
                }
            } else {
                problems.add("line " + word.line() + ": on: '" + text + "' is not one of succeeded, warning, failed, "
                        + "finished, exit-code <n>");
            }
        }
        return new Chain.Upstream(job.text(), glob, outcomes, exitCodes, node.line());
    }

    private static Chain.Window window(YamlTree node, List<String> problems) {
        Map<String, YamlTree> w = mapping(node, "window", problems);
        if (w == null) {
            return Chain.Window.ANY;
        }
        unknownKeys(w, Set.of("not-before", "not-after", "time-zone"), problems);
        LocalTime notBefore = time(w.get("not-before"), problems);
        LocalTime notAfter = time(w.get("not-after"), problems);
        if (notBefore == null && w.get("not-before") == null) {
            problems.add("line " + node.line() + ": a window needs not-before: \"HH:MM\" (and not-after: \"HH:MM\")");
        }
        ZoneId zone = ZoneId.of("UTC");
        YamlTree zoneNode = w.get("time-zone");
        if (zoneNode != null) {
            try {
                zone = ZoneId.of(String.valueOf(zoneNode.text()));
            } catch (DateTimeException e) {
                problems.add("line " + zoneNode.line() + ": '" + zoneNode.text() + "' is not a time zone (e.g. Europe/Berlin)");
            }
        }
        return new Chain.Window(notBefore, notAfter, zone);
    }

    private static LocalTime time(YamlTree node, List<String> problems) {
        if (node == null) {
            return null;
        }
        try {
            return LocalTime.parse(String.valueOf(node.text()).strip());
        } catch (DateTimeParseException e) {
            problems.add("line " + node.line() + ": '" + node.text() + "' is not a time of day (HH:MM, e.g. \"01:30\")");
            return null;
        }
    }

    /** {@code {agent, action, job, parameters}} or {@code {webhook, job, parameters}}: a chain's step, a prune's target. */
    static Chain.Action action(YamlTree node, List<io.hookline.processor.notify.Receiver> receivers,
            List<String> problems) {
        Map<String, YamlTree> a = mapping(node, "an action", problems);
        if (a == null) {
            return null;
        }
        int before = problems.size();
        if ((a.get("agent") == null) == (a.get("webhook") == null)) {
            problems.add("line " + node.line() + ": an action has either agent: <the agent's source name> with action: "
                    + "<an action of its configuration>, or webhook: <a webhook receiver>");
            return null;
        }
        String agent = null;
        String webhook = null;
        String action;
        if (a.get("agent") != null) {
            unknownKeys(a, Set.of("agent", "action", "job", "parameters"), problems);
            agent = name(a.get("agent"), node, "", problems);
            action = name(a.get("action"), node, "an action needs action: <an action of the agent's configuration>",
                    problems);
        } else {
            unknownKeys(a, Set.of("webhook", "job", "parameters"), problems);
            webhook = name(a.get("webhook"), node, "", problems);
            action = webhook;
            String wanted = webhook;
            var receiver = receivers.stream().filter(r -> r.name().equals(wanted)).findFirst();
            if (webhook != null && receiver.isEmpty()) {
                problems.add("line " + a.get("webhook").line() + ": webhook: '" + webhook + "' is not a receiver; "
                        + "add it to receivers: with type: webhook and its url");
            } else if (receiver.isPresent() && !receiver.get().type().equals("webhook")) {
                problems.add("line " + a.get("webhook").line() + ": receiver '" + webhook + "' is of type "
                        + receiver.get().type() + "; a chain calls receivers of type webhook");
            }
        }
        String job = a.get("job") == null ? action : name(a.get("job"), node, "", problems);
        if (AGENT_JOB.equals(job)) {
            problems.add("line " + node.line() + ": '" + AGENT_JOB + "' is the job of the agent's own polls: give "
                    + "job: another name");
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        YamlTree p = a.get("parameters");
        if (p != null) {
            Map<String, YamlTree> given = mapping(p, "parameters", problems);
            if (given != null) {
                given.forEach((key, value) -> {
                    if (!PARAMETER.matcher(key).matches()) {
                        problems.add("line " + value.line() + ": parameter '" + key + "': names are lower case "
                                + "letters, digits and -, starting with a letter (the agent sees HOOKLINE_"
                                + "<NAME>)");
                    } else if (BUILT_IN_PARAMETERS.contains(key)) {
                        problems.add("line " + value.line() + ": parameter '" + key + "' is given by Hookline from the "
                                + "upstream run (" + String.join(", ", BUILT_IN_PARAMETERS.stream().sorted().toList())
                                + "): name yours otherwise");
                    } else if (value.text() == null || value.text().chars().anyMatch(ch -> ch < 0x20)
                            || value.text().length() > 1024) {
                        problems.add("line " + value.line() + ": parameter '" + key + "' must be one line of text, "
                                + "at most 1024 characters");
                    } else {
                        parameters.put(key, value.text());
                    }
                });
            }
        }
        return problems.size() > before ? null : new Chain.Action(agent, webhook, action, job, parameters, node.line());
    }

    private static String name(YamlTree node, YamlTree parent, String missing, List<String> problems) {
        if (node == null || node.text() == null || node.text().isBlank()) {
            if (!missing.isEmpty()) {
                problems.add("line " + parent.line() + ": " + missing);
            }
            return null;
        }
        String text = node.text().strip();
        if (!NAME.matcher(text).matches()) {
            problems.add("line " + node.line() + ": '" + Excerpt.of(text, 65)
                    + "' is not a name: letters, digits, '.', '_' and '-', at most 64");
            return null;
        }
        return text;
    }

    private static Duration positive(YamlTree node, Duration fallback, List<String> problems) {
        if (node == null) {
            return fallback;
        }
        Duration duration = optionalDuration(node, problems);
        if (duration != null && (duration.isZero() || duration.isNegative())) {
            problems.add("line " + node.line() + ": '" + node.text() + "' must be longer than 0s");
            return fallback;
        }
        return duration == null ? fallback : duration;
    }

    /**
     * Rules that trigger each other in a circle: a rule's actions fold runs into jobs that another rule (or itself)
     * waits for. One problem per circle, naming each rule with its line.
     */
    static List<String> cycles(List<Chain> chains) {
        Map<String, List<Chain>> next = new HashMap<>();
        for (Chain from : chains) {
            List<Chain> targets = new ArrayList<>();
            for (Chain to : chains) {
                boolean triggers = from.actions().stream().anyMatch(action ->
                        to.upstream().stream().anyMatch(up -> up.matches(action.jobKey())));
                if (triggers) {
                    targets.add(to);
                }
            }
            next.put(from.name(), targets);
        }
        List<String> problems = new ArrayList<>();
        Set<String> done = new HashSet<>();
        Set<Set<String>> reported = new HashSet<>();
        for (Chain start : chains) {
            walk(start, new ArrayList<>(), next, done, reported, problems);
        }
        return problems;
    }

    private static void walk(Chain chain, List<Chain> path, Map<String, List<Chain>> next, Set<String> done,
            Set<Set<String>> reported, List<String> problems) {
        int seen = path.indexOf(chain);
        if (seen >= 0) {
            List<Chain> circle = path.subList(seen, path.size());
            Set<String> members = new HashSet<>();
            circle.forEach(c -> members.add(c.name()));
            if (reported.add(members)) {
                StringBuilder text = new StringBuilder();
                circle.forEach(c -> text.append(c.name()).append(" (line ").append(c.line()).append(") -> "));
                text.append(chain.name());
                problems.add("line " + circle.get(0).line() + ": chains trigger each other in a circle: " + text
                        + ": each run would start the next forever");
            }
            return;
        }
        if (done.contains(chain.name())) {
            return;
        }
        path.add(chain);
        for (Chain to : next.get(chain.name())) {
            walk(to, path, next, done, reported, problems);
        }
        path.remove(path.size() - 1);
        done.add(chain.name());
    }
}
