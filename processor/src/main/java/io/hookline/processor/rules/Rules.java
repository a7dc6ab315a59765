package io.hookline.processor.rules;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.hookline.processor.notify.Receiver;
import io.hookline.schema.AlertEvent;

/**
 * The alert rules: what is expected of which jobs, and where their alerts go. Parsed and validated at start, each
 * section by its own reader ({@link JobRulesSection}, {@link ReceiversSection}, {@link RoutesSection},
 * {@link InhibitionsSection}, {@link ChainsSection}, {@link RetentionSection}); every problem names its line.
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
        Grouping grouping, List<Chain> chains, List<RetentionRule> retention) {

    public static final Rules NONE = new Rules(List.of(), 3, 5, true, List.of(), List.of(), null, List.of(), Grouping.NONE,
            List.of(), List.of());

    /** A receiver an alert goes to, and how the route that chose it groups. */
    public record Target(Receiver receiver, Grouping grouping) {
    }

    /**
     * Where an alert goes: matching routes in order (until one without continue), else the default receiver with
     * the top-level grouping. A receiver is chosen once, by the first route that names it. Routing depends only on
     * the alert's own fields, so a resolve reaches every receiver that saw the firing.
     */
    public List<Target> targetsFor(AlertEvent alert) {
        List<Target> chosen = new ArrayList<>();
        for (Route route : routes) {
            if (route.match().matches(alert)) {
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

    public Optional<Receiver> receiver(String name) {
        return receivers.stream().filter(r -> r.name().equals(name)).findFirst();
    }

    /** The first rule whose pattern matches, or the defaults. */
    public JobRule forJob(String jobKey) {
        for (JobRule rule : jobs) {
            if (rule.matches(jobKey)) {
                return rule;
            }
        }
        return new JobRule("*", JobRule.glob("*"), null, null, defaultFailures, defaultOutOf, defaultAnomaly, 0);
    }

    /** The retention policy of a job: the first entry that matches, if any. */
    public Optional<RetentionRule> retentionFor(String jobKey) {
        return retention.stream().filter(rule -> rule.matches(jobKey)).findFirst();
    }

    /**
     * One retention policy on its own, in the keys of the rules file, as JSON or YAML (the simulator's body); a
     * missing {@code match} matches every job.
     */
    public static RetentionRule parseRetentionPolicy(String text) throws RulesException {
        YamlTree tree = YamlTree.parse(text);
        List<String> problems = new ArrayList<>();
        if (tree.map() == null) {
            throw new RulesException(List.of("the policy must be an object of keep-... keys, e.g. {\"keep-daily\": 7}"));
        }
        tree.map().putIfAbsent("match", new YamlTree("*", tree.line()));
        RetentionRule rule = RetentionSection.rule(tree, null, problems);
        if (!problems.isEmpty() || rule == null) {
            throw new RulesException(problems.isEmpty() ? List.of("the policy is not valid") : problems);
        }
        return rule;
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
        Values.unknownKeys(top, Set.of("defaults", "jobs", "receivers", "routes", "default-receiver", "inhibit", "grouping",
                "chains", "retention"),
                problems);
        JobRulesSection.Defaults defaults = JobRulesSection.defaults(top.get("defaults"), problems);
        List<JobRule> jobs = JobRulesSection.jobs(top.get("jobs"), defaults, problems);
        List<Receiver> receivers = ReceiversSection.parse(top.get("receivers"), problems);
        Set<String> names = new HashSet<>();
        receivers.forEach(r -> names.add(r.name()));
        GroupingSpec grouping = RoutesSection.grouping(top.get("grouping"), problems);
        List<Route> routes = RoutesSection.routes(top.get("routes"), names, grouping, problems);
        String defaultReceiver = RoutesSection.defaultReceiver(top.get("default-receiver"), names, problems);
        List<Inhibition> inhibitions = InhibitionsSection.parse(top.get("inhibit"), problems);
        List<Chain> chains = ChainsSection.parse(top.get("chains"), receivers, problems);
        List<RetentionRule> retention = RetentionSection.parse(top.get("retention"), receivers, problems);
        if (!problems.isEmpty()) {
            throw new RulesException(problems);
        }
        return new Rules(jobs, defaults.failures(), defaults.outOf(), defaults.anomaly(), receivers, routes,
                defaultReceiver, inhibitions, grouping.resolve(GroupingSpec.NONE), chains,
                retention);
    }

    /** {@code 30s}, {@code 30m}, {@code 6h}, {@code 1d}, {@code 1w}; null when it is not one. */
    /** A duration as the rules file writes it (90m, 2h, 1d). */
    public static String formatDuration(Duration duration) {
        return Values.format(duration);
    }

    public static Duration parseDuration(String text) {
        return Values.parseDuration(text);
    }
}
