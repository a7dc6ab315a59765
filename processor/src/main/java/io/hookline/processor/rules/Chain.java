package io.hookline.processor.rules;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.hookline.processor.match.Glob;
import io.hookline.schema.RunOutcome;
import io.hookline.schema.RunSummary;

/**
 * A {@code chains:} entry: when its upstream run ends as it asks (or, with {@code after:}, when every upstream
 * ended so within {@code within} of each other), run its actions, no earlier than {@code delay} after and inside
 * its window; a command not picked up within {@code expireAfter} expires.
 */
public record Chain(String name, List<Upstream> upstream, Duration within, Duration delay, Window window,
        Duration expireAfter, int maxDepth, List<Action> actions, int line) {

    /** The outcome words of {@code on:}. */
    public static final Set<String> OUTCOMES = Set.of("succeeded", "warning", "failed", "finished");

    public Chain {
        upstream = List.copyOf(upstream);
        actions = List.copyOf(actions);
    }

    /** True for an {@code after:} rule: several upstream jobs must all have ended. */
    public boolean fanIn() {
        return upstream.size() > 1;
    }

    /**
     * An upstream job (a pattern) and the ends of its runs that count: outcome words ({@code succeeded},
     * {@code warning}, {@code failed}, {@code finished}) or exit codes.
     */
    public record Upstream(String pattern, Glob glob, Set<String> outcomes, Set<Integer> exitCodes, int line) {

        public Upstream {
            outcomes = Set.copyOf(outcomes);
            exitCodes = Set.copyOf(exitCodes);
        }

        public boolean matches(String jobKey) {
            return glob.matches(jobKey);
        }

        /** Whether this end of a run is one the rule waits for. */
        public boolean accepts(RunSummary run) {
            RunOutcome outcome = run.getOutcome();
            if (outcomes.contains("finished")
                    || outcomes.contains("succeeded") && outcome == RunOutcome.SUCCEEDED
                    || outcomes.contains("warning") && outcome == RunOutcome.WARNING
                    || outcomes.contains("failed") && (outcome == RunOutcome.FAILED || outcome == RunOutcome.ABORTED)) {
                return true;
            }
            Integer code = exitCode(run);
            return code != null && exitCodes.contains(code);
        }

        /** The run's exit code: its error code when that is a number, 0 for a success that gave none. */
        static Integer exitCode(RunSummary run) {
            if (run.getErrorCode() != null) {
                try {
                    return Integer.valueOf(run.getErrorCode().strip());
                } catch (NumberFormatException e) {
                    return null;
                }
            }
            return run.getOutcome() == RunOutcome.SUCCEEDED ? 0 : null;
        }

        /** As the rules file says it, for messages. */
        public String on() {
            List<String> words = new java.util.ArrayList<>(outcomes.stream().sorted().toList());
            exitCodes.stream().sorted().forEach(code -> words.add("exit-code " + code));
            return String.join(" or ", words);
        }
    }

    /**
     * The daily hours in a time zone a command may be delivered in ({@code not-before} to {@code not-after}, which
     * may wrap midnight); null bounds: any time.
     */
    public record Window(LocalTime notBefore, LocalTime notAfter, ZoneId zone) {

        public static final Window ANY = new Window(null, null, ZoneId.of("UTC"));

        /** The first instant at or after {@code at} inside the window. */
        public Instant openFrom(Instant at) {
            if (notBefore == null) {
                return at;
            }
            ZonedDateTime local = at.atZone(zone);
            if (inside(local.toLocalTime())) {
                return at;
            }
            ZonedDateTime opening = local.toLocalDate().atTime(notBefore).atZone(zone);
            return (opening.isAfter(local) ? opening : opening.plusDays(1)).toInstant();
        }

        /** When the window that is open at {@code at} closes (never, for a window without not-after). */
        public Instant closesAfter(Instant at) {
            if (notAfter == null) {
                return Instant.MAX;
            }
            ZonedDateTime local = at.atZone(zone);
            ZonedDateTime closing = local.toLocalDate().atTime(notAfter).atZone(zone);
            return (closing.isBefore(local) ? closing.plusDays(1) : closing).toInstant();
        }

        private boolean inside(LocalTime time) {
            LocalTime from = notBefore;
            LocalTime to = notAfter == null ? LocalTime.MAX : notAfter;
            return from.isBefore(to) || from.equals(to) ? !time.isBefore(from) && !time.isAfter(to)
                    : !time.isBefore(from) || !time.isAfter(to);
        }
    }

    /**
     * What to run: a named action of a host agent (its runs are folded into the job {@code agent/job}), or a call of
     * a webhook receiver (folded into {@code webhook/job}), with parameters of the rule's own added to those of the
     * upstream run.
     */
    public record Action(String agent, String webhook, String action, String job, Map<String, String> parameters,
            int line) {

        /** The source name that a webhook action's runs are folded under. */
        public static final String WEBHOOK_SOURCE = "webhook";

        public Action {
            parameters = Map.copyOf(parameters);
        }

        public boolean isWebhook() {
            return webhook != null;
        }

        public String jobKey() {
            return (isWebhook() ? io.hookline.runtime.commands.CommandEvents.WEBHOOK_SOURCE : agent) + "/" + job;
        }
    }
}
