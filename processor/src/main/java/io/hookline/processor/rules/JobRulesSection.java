package io.hookline.processor.rules;

import static io.hookline.processor.rules.Values.bool;
import static io.hookline.processor.rules.Values.duration;
import static io.hookline.processor.rules.Values.integer;
import static io.hookline.processor.rules.Values.mapping;
import static io.hookline.processor.rules.Values.unknownKeys;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;

/** {@code defaults:} and {@code jobs:}: what is expected of which jobs. */
final class JobRulesSection {

    private static final CronParser CRON = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

    /** The defaults every job rule starts from. */
    record Defaults(int failures, int outOf, boolean anomaly) {
        static final Defaults BUILT_IN = new Defaults(3, 5, true);
    }

    private JobRulesSection() {
    }

    static Defaults defaults(YamlTree node, List<String> problems) {
        if (node == null) {
            return Defaults.BUILT_IN;
        }
        Map<String, YamlTree> d = mapping(node, "defaults", problems);
        if (d == null) {
            return Defaults.BUILT_IN;
        }
        unknownKeys(d, Set.of("failures", "anomaly"), problems);
        int[] rate = failureRate(d.get("failures"), problems, 3, 5);
        return new Defaults(rate[0], rate[1], bool(d.get("anomaly"), true, problems));
    }

    static List<JobRule> jobs(YamlTree node, Defaults defaults, List<String> problems) {
        List<JobRule> jobs = new ArrayList<>();
        if (node != null && node.list() == null) {
            problems.add("line " + node.line() + ": jobs must be a list of rules (- match: ...)");
            return jobs;
        }
        for (YamlTree entry : node == null ? List.<YamlTree>of() : node.list()) {
            JobRule rule = jobRule(entry, defaults, problems);
            if (rule != null) {
                jobs.add(rule);
            }
        }
        return List.copyOf(jobs);
    }

    private static JobRule jobRule(YamlTree entry, Defaults defaults, List<String> problems) {
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
        Schedule schedule = job.get("schedule") == null ? null : schedule(job.get("schedule"), problems);
        Duration maxDuration = job.get("max-duration") == null ? null : duration(job.get("max-duration"), problems);
        int[] rate = failureRate(job.get("failures"), problems, defaults.failures(), defaults.outOf());
        return new JobRule(match.text(), JobRule.glob(match.text()), schedule, maxDuration, rate[0], rate[1],
                bool(job.get("anomaly"), defaults.anomaly(), problems), entry.line());
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
}
