package io.hookline.processor.rules;

import io.hookline.processor.match.Matchers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;

/**
 * The alert rules: what is expected of which jobs. Parsed and validated at start; every problem names its line.
 *
 * <pre>
 * defaults:
 *   failures: {count: 3, of: 5}
 *   anomaly: true
 * jobs:
 *   - match: "esxi-prod/*"
 *     schedule: {every: 24h, grace: 2h}
 *     max-duration: 6h
 *   - match: "demo-pings/nightly-db"
 *     schedule: {cron: "0 2 * * *", time-zone: Europe/Berlin, grace: 1h}
 * </pre>
 */
public record Rules(List<JobRule> jobs, int defaultFailures, int defaultOutOf, boolean defaultAnomaly,
        List<Receiver> receivers, List<Route> routes, String defaultReceiver, List<Inhibition> inhibitions,
        Grouping grouping) {

    public static final Rules NONE = new Rules(List.of(), 3, 5, true, List.of(), List.of(), null, List.of(), Grouping.NONE);

    /** A receiver an alert goes to, and how the route that chose it groups. */
    public record Target(Receiver receiver, Grouping grouping) {
    }

    /**
     * Where an alert goes: matching routes in order (until one without continue), else the default receiver with
     * the top-level grouping. A receiver is chosen once, by the first route that names it. Routing depends only on
     * the alert's own fields, so a resolve reaches every receiver that saw the firing.
     */
    public List<Target> targetsFor(io.hookline.schema.AlertEvent alert) {
        List<Target> chosen = new ArrayList<>();
        for (Route route : routes) {
            if (route.matches(alert)) {
                receiver(route.receiver()).filter(r -> chosen.stream().noneMatch(t -> t.receiver().equals(r)))
                        .ifPresent(r -> chosen.add(new Target(r, route.grouping())));
                if (!route.continueMatching()) {
                    return chosen;
                }
            }
        }
        if (chosen.isEmpty() && defaultReceiver != null) {
            receiver(defaultReceiver).ifPresent(r -> chosen.add(new Target(r, grouping)));
        }
        return chosen;
    }

    /** True when some route (or the default) groups or repeats, so that firing alerts outlive their record. */
    public boolean repeats() {
        return grouping.repeatInterval() != null || routes.stream().anyMatch(r -> r.grouping().repeatInterval() != null);
    }

    public java.util.Optional<Receiver> receiver(String name) {
        return receivers.stream().filter(r -> r.name().equals(name)).findFirst();
    }

    private static final Pattern DURATION = Pattern.compile("(\\d+)(s|m|h|d|w)");
    private static final CronParser CRON = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

    /** The first rule whose pattern matches, or the defaults. */
    public JobRule forJob(String jobKey) {
        for (JobRule rule : jobs) {
            if (rule.matches(jobKey)) {
                return rule;
            }
        }
        return new JobRule("*", JobRule.glob("*"), null, null, defaultFailures, defaultOutOf, defaultAnomaly, 0);
    }

    public static Rules load(Path file) throws RulesException {
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new RulesException(List.of("cannot read rules file " + file + ": " + e.getMessage()));
        }
    }

    public static Rules parse(String yaml) throws RulesException {
        YamlTree root = YamlTree.parse(yaml);
        List<String> problems = new ArrayList<>();
        Map<String, YamlTree> top = root.map();
        if (top == null) {
            throw new RulesException(List.of("line " + root.line() + ": the rules file must be a mapping with 'defaults' and 'jobs'"));
        }
        unknownKeys(top, Set.of("defaults", "jobs", "receivers", "routes", "default-receiver", "inhibit", "grouping"),
                problems);
        int failures = 3;
        int outOf = 5;
        boolean anomaly = true;
        YamlTree defaults = top.get("defaults");
        if (defaults != null) {
            Map<String, YamlTree> d = mapping(defaults, "defaults", problems);
            if (d != null) {
                unknownKeys(d, Set.of("failures", "anomaly"), problems);
                int[] rate = failureRate(d.get("failures"), problems, 3, 5);
                failures = rate[0];
                outOf = rate[1];
                anomaly = bool(d.get("anomaly"), true, problems);
            }
        }
        List<JobRule> jobs = new ArrayList<>();
        YamlTree jobList = top.get("jobs");
        if (jobList != null) {
            if (jobList.list() == null) {
                problems.add("line " + jobList.line() + ": jobs must be a list of rules (- match: ...)");
            } else {
                for (YamlTree entry : jobList.list()) {
                    JobRule rule = jobRule(entry, failures, outOf, anomaly, problems);
                    if (rule != null) {
                        jobs.add(rule);
                    }
                }
            }
        }
        List<Receiver> receivers = receivers(top.get("receivers"), problems);
        Set<String> names = new java.util.HashSet<>();
        receivers.forEach(r -> names.add(r.name()));
        GroupingSpec groupingDefaults = GroupingSpec.NONE;
        YamlTree groupingNode = top.get("grouping");
        if (groupingNode != null) {
            Map<String, YamlTree> g = mapping(groupingNode, "grouping", problems);
            if (g != null) {
                unknownKeys(g, GroupingSpec.KEYS, problems);
                groupingDefaults = GroupingSpec.parse(g, problems);
            }
        }
        List<Route> routes = routes(top.get("routes"), names, groupingDefaults, problems);
        String defaultReceiver = null;
        YamlTree fallback = top.get("default-receiver");
        if (fallback != null) {
            defaultReceiver = fallback.text();
            if (defaultReceiver == null || !names.contains(defaultReceiver)) {
                problems.add("line " + fallback.line() + ": default-receiver '" + defaultReceiver
                        + "' is not one of the receivers " + names.stream().sorted().toList());
            }
        }
        List<Inhibition> inhibitions = inhibitions(top.get("inhibit"), problems);
        if (!problems.isEmpty()) {
            throw new RulesException(problems);
        }
        return new Rules(List.copyOf(jobs), failures, outOf, anomaly, receivers, routes, defaultReceiver, inhibitions,
                groupingDefaults.resolve(GroupingSpec.NONE));
    }

    private static JobRule jobRule(YamlTree entry, int failures, int outOf, boolean anomaly, List<String> problems) {
        Map<String, YamlTree> job = mapping(entry, "a job rule", problems);
        if (job == null) {
            return null;
        }
        unknownKeys(job, Set.of("match", "schedule", "max-duration", "failures", "anomaly"), problems);
        YamlTree match = job.get("match");
        if (match == null || match.text() == null || match.text().isBlank()) {
            problems.add("line " + entry.line() + ": a job rule needs match: <job key pattern>, e.g. \"esxi-prod/*\"");
            return null;
        }
        Schedule schedule = null;
        YamlTree scheduleNode = job.get("schedule");
        if (scheduleNode != null) {
            schedule = schedule(scheduleNode, problems);
        }
        Duration maxDuration = job.get("max-duration") == null ? null : duration(job.get("max-duration"), problems);
        int[] rate = failureRate(job.get("failures"), problems, failures, outOf);
        return new JobRule(match.text(), JobRule.glob(match.text()), schedule, maxDuration, rate[0], rate[1],
                bool(job.get("anomaly"), anomaly, problems), entry.line());
    }

    private static List<Receiver> receivers(YamlTree node, List<String> problems) {
        List<Receiver> receivers = new ArrayList<>();
        if (node == null) {
            return receivers;
        }
        if (node.list() == null) {
            problems.add("line " + node.line() + ": receivers must be a list (- name: ..., type: ...)");
            return receivers;
        }
        Set<String> seen = new java.util.HashSet<>();
        for (YamlTree entry : node.list()) {
            Map<String, YamlTree> r = mapping(entry, "a receiver", problems);
            if (r == null) {
                continue;
            }
            String name = r.get("name") == null ? null : r.get("name").text();
            String type = r.get("type") == null ? null : r.get("type").text();
            if (name == null || name.isBlank()) {
                problems.add("line " + entry.line() + ": a receiver needs a name");
                continue;
            }
            if (!seen.add(name)) {
                problems.add("line " + entry.line() + ": a second receiver is named '" + name + "'");
            }
            if (type == null || !Receiver.REQUIRED.containsKey(type)) {
                problems.add("line " + entry.line() + ": receiver " + name + " needs type: one of "
                        + Receiver.REQUIRED.keySet().stream().sorted().toList() + (type == null ? "" : ", not '" + type + "'"));
                continue;
            }
            Map<String, String> options = new java.util.LinkedHashMap<>();
            boolean valid = true;
            for (var option : r.entrySet()) {
                String key = option.getKey();
                if (Set.of("name", "type", "timeout", "max-attempts").contains(key)) {
                    continue;
                }
                if (key.equals("headers") && type.equals("sms") && option.getValue().map() != null) {
                    option.getValue().map().forEach((header, value) -> options.put("headers." + header, value.text()));
                    continue;
                }
                if (!Receiver.ALLOWED.get(type).contains(key)) {
                    problems.add("line " + option.getValue().line() + ": receiver " + name + " (" + type
                            + ") has no option '" + key + "' (it takes " + Receiver.ALLOWED.get(type).stream().sorted().toList()
                            + (type.equals("sms") ? " and headers" : "") + ")");
                    valid = false;
                    continue;
                }
                options.put(key, option.getValue().text());
            }
            for (String required : Receiver.REQUIRED.get(type)) {
                if (options.get(required) == null || options.get(required).isBlank()) {
                    problems.add("line " + entry.line() + ": receiver " + name + " (" + type + ") needs " + required
                            + (required.equals("url") ? ": http(s)://..." : ""));
                    valid = false;
                }
            }
            String url = options.get("url");
            if (url != null && !(url.startsWith("http://") || url.startsWith("https://"))) {
                problems.add("line " + r.get("url").line() + ": receiver " + name + " (" + type + ") needs url: http(s)://...");
                valid = false;
            }
            Duration timeout = r.get("timeout") == null ? Duration.ofSeconds(10) : duration(r.get("timeout"), problems);
            int attempts = integer(r.get("max-attempts"), 8, problems);
            if (attempts < 1 || attempts > 30) {
                problems.add("line " + r.get("max-attempts").line() + ": max-attempts must be between 1 and 30");
            }
            if (valid) {
                receivers.add(new Receiver(name, type, Map.copyOf(options),
                        timeout == null ? Duration.ofSeconds(10) : timeout, attempts, entry.line()));
            }
        }
        return List.copyOf(receivers);
    }

    private static List<Inhibition> inhibitions(YamlTree node, List<String> problems) {
        List<Inhibition> inhibitions = new ArrayList<>();
        if (node == null) {
            return inhibitions;
        }
        if (node.list() == null) {
            problems.add("line " + node.line() + ": inhibit must be a list (- source: {...}, target: {...}, equal: [host])");
            return inhibitions;
        }
        for (YamlTree entry : node.list()) {
            Map<String, YamlTree> i = mapping(entry, "an inhibition", problems);
            if (i == null) {
                continue;
            }
            unknownKeys(i, Set.of("source", "target", "equal"), problems);
            Matchers source = matcher(i.get("source"), entry, "source", problems);
            Matchers target = matcher(i.get("target"), entry, "target", problems);
            List<String> equal = new ArrayList<>();
            YamlTree equalNode = i.get("equal");
            if (equalNode != null) {
                if (equalNode.list() == null) {
                    problems.add("line " + equalNode.line() + ": equal must be a list such as [host]");
                } else {
                    for (YamlTree field : equalNode.list()) {
                        if (!Inhibition.EQUAL_KEYS.contains(String.valueOf(field.text()))) {
                            problems.add("line " + field.line() + ": equal takes " + Inhibition.EQUAL_KEYS.stream().sorted().toList()
                                    + ", not '" + field.text() + "'");
                        } else {
                            equal.add(field.text());
                        }
                    }
                }
            }
            if (source != null && target != null) {
                inhibitions.add(new Inhibition(source, target, List.copyOf(equal), entry.line()));
            }
        }
        return List.copyOf(inhibitions);
    }

    private static Matchers matcher(YamlTree node, YamlTree entry, String what, List<String> problems) {
        if (node == null) {
            problems.add("line " + entry.line() + ": an inhibition needs " + what + ": {condition: ..., host: ...}");
            return null;
        }
        Map<String, YamlTree> m = mapping(node, what, problems);
        if (m == null) {
            return null;
        }
        return matchers(m, node, problems);
    }

    /** A matcher set from the rules file: unknown fields and globs too long are named with their line. */
    private static Matchers matchers(Map<String, YamlTree> m, YamlTree node, List<String> problems) {
        unknownKeys(m, Matchers.KEYS, problems);
        Map<String, String> patterns = new java.util.LinkedHashMap<>();
        m.forEach((key, value) -> {
            if (Matchers.KEYS.contains(key)) {
                patterns.put(key, String.valueOf(value.text()));
            }
        });
        try {
            return Matchers.of(patterns);
        } catch (IllegalArgumentException e) {
            problems.add("line " + node.line() + ": " + e.getMessage());
            return null;
        }
    }

    private static List<Route> routes(YamlTree node, Set<String> receivers, GroupingSpec defaults, List<String> problems) {
        List<Route> routes = new ArrayList<>();
        if (node == null) {
            return routes;
        }
        if (node.list() == null) {
            problems.add("line " + node.line() + ": routes must be a list (- match: {...}, receiver: ...)");
            return routes;
        }
        for (YamlTree entry : node.list()) {
            Map<String, YamlTree> r = mapping(entry, "a route", problems);
            if (r == null) {
                continue;
            }
            Set<String> keys = new java.util.HashSet<>(GroupingSpec.KEYS);
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
                    Matchers parsed = matchers(m, matchNode, problems);
                    match = parsed == null ? Matchers.ALL : parsed;
                }
            }
            Grouping grouping = GroupingSpec.parse(r, problems).resolve(defaults);
            routes.add(new Route(match, receiver, bool(r.get("continue"), false, problems), grouping,
                    entry.line()));
        }
        return List.copyOf(routes);
    }

    /**
     * The grouping keys as written, at the top level or on a route; what a route leaves out it takes from the top
     * level, and what neither says takes Alertmanager's timings when alerts are grouped, none when each is alone.
     */
    private record GroupingSpec(List<String> by, Duration groupWait, Duration groupInterval, Duration repeat,
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
            return new GroupingSpec(by, optionalDuration(node.get("group-wait"), problems),
                    optionalDuration(node.get("group-interval"), problems),
                    never ? null : optionalDuration(repeatNode, problems), never);
        }

        private static Duration optionalDuration(YamlTree node, List<String> problems) {
            return node == null ? null : duration(node, problems);
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

    private static Schedule schedule(YamlTree node, List<String> problems) {
        Map<String, YamlTree> s = mapping(node, "schedule", problems);
        if (s == null) {
            return null;
        }
        unknownKeys(s, Set.of("every", "cron", "time-zone", "grace"), problems);
        Duration grace = s.get("grace") == null ? Duration.ofHours(1) : duration(s.get("grace"), problems);
        YamlTree every = s.get("every");
        YamlTree cron = s.get("cron");
        if ((every == null) == (cron == null)) {
            problems.add("line " + node.line() + ": a schedule has either every: <duration> or cron: \"<expression>\"");
            return null;
        }
        if (every != null) {
            Duration period = duration(every, problems);
            return period == null || grace == null ? null : new Schedule(period, null, null, ZoneId.of("UTC"), grace);
        }
        ZoneId zone = ZoneId.of("UTC");
        YamlTree zoneNode = s.get("time-zone");
        if (zoneNode != null) {
            try {
                zone = ZoneId.of(String.valueOf(zoneNode.text()));
            } catch (DateTimeException e) {
                problems.add("line " + zoneNode.line() + ": '" + zoneNode.text() + "' is not a time zone (e.g. Europe/Berlin)");
                return null;
            }
        }
        try {
            ExecutionTime time = ExecutionTime.forCron(CRON.parse(String.valueOf(cron.text())));
            return grace == null ? null : new Schedule(null, time, cron.text(), zone, grace);
        } catch (IllegalArgumentException e) {
            problems.add("line " + cron.line() + ": '" + cron.text() + "' is not a cron expression (minute hour day "
                    + "month weekday): " + e.getMessage());
            return null;
        }
    }

    private static int[] failureRate(YamlTree node, List<String> problems, int failures, int outOf) {
        if (node == null) {
            return new int[] {failures, outOf};
        }
        Map<String, YamlTree> f = mapping(node, "failures", problems);
        if (f == null) {
            return new int[] {failures, outOf};
        }
        unknownKeys(f, Set.of("count", "of"), problems);
        int count = integer(f.get("count"), failures, problems);
        int of = integer(f.get("of"), outOf, problems);
        if (count < 1 || of < count || of > 20) {
            problems.add("line " + node.line() + ": failures needs 1 <= count <= of <= 20, not count " + count + " of " + of);
        }
        return new int[] {count, of};
    }

    static Duration duration(YamlTree node, List<String> problems) {
        Duration duration = node.text() == null ? null : parseDuration(node.text());
        if (duration == null) {
            problems.add("line " + node.line() + ": '" + node.text() + "' is not a duration like 30m, 6h, 1d or 1w");
        }
        return duration;
    }

    /** {@code 30s}, {@code 30m}, {@code 6h}, {@code 1d}, {@code 1w}; null when it is not one. */
    public static Duration parseDuration(String text) {
        Matcher matcher = DURATION.matcher(text.strip());
        if (!matcher.matches()) {
            return null;
        }
        long amount = Long.parseLong(matcher.group(1));
        return switch (matcher.group(2)) {
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            case "d" -> Duration.ofDays(amount);
            default -> Duration.ofDays(7 * amount);
        };
    }

    static String format(Duration duration) {
        long seconds = duration.getSeconds();
        if (seconds % 86_400 == 0) {
            return seconds / 86_400 + "d";
        }
        if (seconds % 3600 == 0) {
            return seconds / 3600 + "h";
        }
        return seconds % 60 == 0 ? seconds / 60 + "m" : seconds + "s";
    }

    private static int integer(YamlTree node, int fallback, List<String> problems) {
        if (node == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(String.valueOf(node.text()).strip());
        } catch (NumberFormatException e) {
            problems.add("line " + node.line() + ": '" + node.text() + "' is not a whole number");
            return fallback;
        }
    }

    private static boolean bool(YamlTree node, boolean fallback, List<String> problems) {
        if (node == null) {
            return fallback;
        }
        String text = String.valueOf(node.text());
        if (!text.equals("true") && !text.equals("false")) {
            problems.add("line " + node.line() + ": '" + text + "' is not true or false");
            return fallback;
        }
        return Boolean.parseBoolean(text);
    }

    private static Map<String, YamlTree> mapping(YamlTree node, String what, List<String> problems) {
        if (node.map() == null) {
            problems.add("line " + node.line() + ": " + what + " must be a mapping (key: value)");
        }
        return node.map();
    }

    private static void unknownKeys(Map<String, YamlTree> map, Set<String> known, List<String> problems) {
        map.forEach((key, value) -> {
            if (!known.contains(key)) {
                problems.add("line " + value.line() + ": unknown key '" + key + "' (expected one of "
                        + String.join(", ", known.stream().sorted().toList()) + ")");
            }
        });
    }
}
