package io.hookline.processor.chains;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import io.hookline.processor.rules.Chain;
import io.hookline.runtime.commands.CommandEvents;
import io.hookline.schema.ActionKind;
import io.hookline.schema.BackupEvent;
import io.hookline.schema.ChainCause;
import io.hookline.schema.Command;
import io.hookline.schema.EventType;
import io.hookline.schema.JobState;
import io.hookline.schema.RunOutcome;
import io.hookline.schema.RunSummary;
import io.hookline.schema.UpstreamRun;

/**
 * What chain rules decide, as pure functions: whether an event ended a run, which rules that end satisfies, the
 * commands a satisfied rule starts (their ids derived from the rule and the upstream runs, so that the same trigger
 * always gives the same command), and when a fan-in rule has all it waits for.
 */
public final class ChainLogic {

    /** Control characters in a parameter's value, which become spaces. */
    private static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}");

    private ChainLogic() {
    }

    /** The run an event ended, or null when it ended none (a start, a log line, a retried hook). */
    public static RunSummary endedRun(JobState before, JobState after, BackupEvent event) {
        long runsBefore = before == null ? 0 : before.getRunCount();
        RunSummary run = after.getLastRun();
        return after.getRunCount() > runsBefore && run != null && run.getEventId().equals(event.getEventId()) ? run
                : null;
    }

    /** How deep in a chain the run is: 0 for a run no command caused. */
    public static int depthOf(RunSummary run) {
        return run.getCause() == null ? 0 : run.getCause().getDepth();
    }

    public static UpstreamRun upstream(String jobKey, RunSummary run) {
        return UpstreamRun.newBuilder().setJobKey(jobKey).setRunId(run.getRunId()).setEventId(run.getEventId())
                .setOutcome(run.getOutcome()).setFinishedAt(run.getFinishedAt()).build();
    }

    /** What a command tells the action of the run that caused it (the agent sees HOOKLINE_JOB, HOOKLINE_RUN_ID ...). */
    public static Map<String, String> parametersOf(JobState state, RunSummary run) {
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("job", state.getJobKey());
        put(parameters, "run-id", run.getRunId());
        parameters.put("outcome", run.getOutcome().name().toLowerCase(Locale.ROOT));
        put(parameters, "exit-code", run.getErrorCode() != null ? run.getErrorCode()
                : run.getOutcome() == RunOutcome.SUCCEEDED ? "0" : null);
        put(parameters, "bytes", run.getBytes() == null ? null : run.getBytes().toString());
        state.getRestorePoints().stream().findFirst()
                .filter(point -> run.getOutcome() != RunOutcome.FAILED && run.getOutcome() != RunOutcome.ABORTED)
                .ifPresent(point -> {
                    put(parameters, "restore-point", point.getId());
                    put(parameters, "restore-point-location", point.getLocation());
                });
        return parameters;
    }

    private static void put(Map<String, String> parameters, String key, String value) {
        if (value != null) {
            // One line each: an agent reads one parameter per line.
            parameters.put(key, CONTROL.matcher(value).replaceAll(" "));
        }
    }

    /** Why a rule starts nothing for a trigger, or null when it starts its commands. */
    public static String refusal(Chain chain, int depth, Instant expiresAt, Instant now) {
        if (depth > chain.maxDepth()) {
            return "chain " + chain.name() + " would be step " + depth + " of a chain, deeper than its max-depth "
                    + chain.maxDepth();
        }
        if (!expiresAt.isAfter(now)) {
            return "chain " + chain.name() + " was triggered too late: its commands would have expired at " + expiresAt;
        }
        return null;
    }

    /** When a command may be delivered: the rule's delay after the trigger, moved into its window. */
    public static Instant notBefore(Chain chain, Instant triggeredAt) {
        return chain.window().openFrom(triggeredAt.plus(chain.delay()));
    }

    /** When it expires: {@code expire-after} past {@link #notBefore}, or when its window closes if sooner. */
    public static Instant expiresAt(Chain chain, Instant triggeredAt) {
        Instant from = notBefore(chain, triggeredAt);
        Instant expires = from.plus(chain.expireAfter());
        Instant closes = chain.window().closesAfter(from);
        return closes.isBefore(expires) ? closes : expires;
    }

    /**
     * The commands a satisfied rule starts, one per action: {@code upstream} in the rule's order, {@code depth}
     * the deepest upstream's plus one, {@code parameters} from the run that completed the trigger.
     */
    public static List<Command> commands(Chain chain, List<UpstreamRun> upstream, int depth,
            Map<String, String> parameters, Instant triggeredAt) {
        List<Command> commands = new ArrayList<>();
        Instant notBefore = notBefore(chain, triggeredAt);
        Instant expiresAt = expiresAt(chain, triggeredAt);
        for (int i = 0; i < chain.actions().size(); i++) {
            Chain.Action action = chain.actions().get(i);
            ChainCause cause = ChainCause.newBuilder()
                    .setCommandId(commandId(chain.name(), i, upstream))
                    .setRule(chain.name())
                    .setDepth(depth)
                    .setUpstream(upstream)
                    .build();
            Map<String, String> all = new LinkedHashMap<>(parameters);
            all.put("rule", chain.name());
            all.put("upstream-jobs", String.join(",", upstream.stream().map(UpstreamRun::getJobKey).toList()));
            all.putAll(action.parameters());
            commands.add(Command.newBuilder()
                    .setCommandId(cause.getCommandId())
                    .setCreatedAt(triggeredAt)
                    .setCause(cause)
                    .setKind(action.isWebhook() ? ActionKind.WEBHOOK : ActionKind.AGENT)
                    .setAgent(action.agent())
                    .setAction(action.action())
                    .setJobKey(action.jobKey())
                    .setParameters(all)
                    .setNotBefore(notBefore)
                    .setExpiresAt(expiresAt)
                    .build());
        }
        return commands;
    }

    /** A digest of the rule, the action's place in it and the upstream runs' ending events. */
    static String commandId(String rule, int action, List<UpstreamRun> upstream) {
        List<String> parts = new ArrayList<>(List.of(rule, Integer.toString(action)));
        for (UpstreamRun run : upstream) {
            parts.add(run.getJobKey());
            parts.add(run.getEventId());
        }
        return commandId(parts);
    }

    /** A command id: {@code cmd_} and 128 bits of the SHA-256 of the parts, each after a NUL. */
    public static String commandId(List<String> parts) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(String.join("\u0000", parts).getBytes(StandardCharsets.UTF_8));
            return "cmd_" + HexFormat.of().formatHex(digest.digest(), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The event that says a command is queued for its job: folded there, and the start of its expiry clock. */
    public static BackupEvent queued(Command command, Instant at) {
        return lifeEvent(command, EventType.COMMAND_QUEUED, ":queued", at, null, null);
    }

    /** The event that says nobody picked a command up before it expired: a failed run of its job. */
    public static BackupEvent expired(Command command, Instant at) {
        String what = command.getKind() == ActionKind.WEBHOOK
                ? "webhook " + command.getAction() + " was not delivered by " + command.getExpiresAt()
                : "agent " + command.getAgent() + " did not start action " + command.getAction() + " by "
                        + command.getExpiresAt();
        String which = command.getPrune() == null ? "command " + command.getCommandId() + " of chain "
                + command.getCause().getRule()
                : "prune of " + pruned(command) + " (command " + command.getCommandId() + ")";
        return lifeEvent(command, EventType.COMMAND_EXPIRED, ":expired", at, RunOutcome.FAILED, which + " expired: "
                + what);
    }

    /** For messages: the restore points a prune command deletes, and their job. */
    public static String pruned(Command command) {
        return CommandEvents.pruned(command);
    }

    /** The key of a command on hookline.commands: its agent, or {@code webhook:<receiver>}. */
    public static String topicKey(Command command) {
        return command.getKind() == ActionKind.WEBHOOK ? "webhook:" + command.getAction() : command.getAgent();
    }

    /** The event a webhook action's delivery ends in: a run of its job that succeeded or failed. */
    public static BackupEvent webhookEnded(Command command, boolean delivered, Integer httpStatus, String message,
            int attempts, Instant at) {
        BackupEvent event = lifeEvent(command, delivered ? EventType.RUN_SUCCEEDED : EventType.RUN_FAILED,
                delivered ? ":webhook-delivered" : ":webhook-gave-up-" + at.toEpochMilli(), at,
                delivered ? RunOutcome.SUCCEEDED : RunOutcome.FAILED, delivered ? null
                        : "webhook " + command.getAction() + " not delivered after " + attempts + " attempt(s): "
                                + message);
        event.setErrorCode(httpStatus == null ? null : Integer.toString(httpStatus));
        return event;
    }

    private static BackupEvent lifeEvent(Command command, EventType type, String suffix, Instant at,
            RunOutcome outcome, String message) {
        return CommandEvents.of(command, type, suffix, at).setOutcome(outcome).setErrorMessage(message).build();
    }

    /** One upstream's end on its way to a fan-in rule: which of the rule's upstreams, and whether it counts. */
    public record FanInStep(int slot, boolean accepted, String jobKey, String runId, String eventId, String outcome,
            long finishedAt, int depth, Map<String, String> parameters) {

        public UpstreamRun run() {
            return UpstreamRun.newBuilder().setJobKey(jobKey).setRunId(runId).setEventId(eventId)
                    .setOutcome(RunOutcome.valueOf(outcome)).setFinishedAt(Instant.ofEpochMilli(finishedAt)).build();
        }
    }

    /**
     * Whether a fan-in rule has all it waits for: a step for every upstream, each accepted, all ended within the
     * rule's {@code within} of each other.
     */
    public static boolean complete(Chain chain, Map<Integer, FanInStep> steps) {
        if (steps.size() < chain.upstream().size() || steps.values().stream().anyMatch(step -> !step.accepted())) {
            return false;
        }
        long first = steps.values().stream().mapToLong(FanInStep::finishedAt).min().orElse(0);
        long last = steps.values().stream().mapToLong(FanInStep::finishedAt).max().orElse(0);
        return Duration.ofMillis(last - first).compareTo(chain.within()) <= 0;
    }

    /** The upstream runs of a complete fan-in, in the rule's order. */
    public static List<UpstreamRun> upstreamOf(Map<Integer, FanInStep> steps) {
        return steps.values().stream().sorted(Comparator.comparingInt(FanInStep::slot)).map(FanInStep::run).toList();
    }
}
