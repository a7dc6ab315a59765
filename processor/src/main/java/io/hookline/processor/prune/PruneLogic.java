package io.hookline.processor.prune;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.hookline.processor.chains.ChainLogic;
import io.hookline.processor.react.JobChange;
import io.hookline.processor.retention.Retention;
import io.hookline.processor.rules.Chain;
import io.hookline.processor.rules.RetentionRule;
import io.hookline.schema.ActionKind;
import io.hookline.schema.BackupEvent;
import io.hookline.schema.ChainCause;
import io.hookline.schema.Command;
import io.hookline.schema.EventType;
import io.hookline.schema.JobState;
import io.hookline.schema.PruneOrder;
import io.hookline.schema.RestorePoint;
import io.hookline.schema.RunOutcome;
import io.hookline.schema.RunSummary;
import io.hookline.schema.SourceKind;
import io.hookline.schema.serde.Records;

/**
 * What enforcing a retention policy decides, as pure functions: which restore points are due to be pruned now, the
 * commands that prune them (an agent's action once per point, a webhook once with the list; ids derived from the
 * job, the points and the attempt, so that the same decision always gives the same commands), and what a prune's
 * end writes back into the job whose points it pruned.
 */
public final class PruneLogic {

    /** A prune not started by then expires, and counts as failed. */
    public static final Duration EXPIRE_AFTER = Duration.ofHours(1);
    /** After the n-th failed attempt, the next waits this long (the last one repeats). */
    static final List<Duration> BACKOFF = List.of(Duration.ofMinutes(5), Duration.ofMinutes(30), Duration.ofHours(2),
            Duration.ofHours(6), Duration.ofHours(24));
    static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMddHHmmss", Locale.ROOT);

    private PruneLogic() {
    }

    /** Where a prune of one restore point stands: sent and not ended (QUEUED), or FAILED and waiting to retry. */
    public record Pending(String pointId, String commandId, int attempt, String status, long since, Long retryAt,
            String error, String via) {

        public static final String QUEUED = "QUEUED";
        public static final String FAILED = "FAILED";

        Pending failed(String why, Instant at) {
            return new Pending(pointId, commandId, attempt, FAILED, at.toEpochMilli(),
                    at.plus(backoff(attempt)).toEpochMilli(), why, via);
        }

        boolean blocks(Instant now) {
            return QUEUED.equals(status) || retryAt != null && retryAt > now.toEpochMilli();
        }
    }

    static Duration backoff(int attempt) {
        return BACKOFF.get(Math.max(0, Math.min(attempt, BACKOFF.size()) - 1));
    }

    /**
     * The restore points of a job that are due to be pruned now: the policy prunes them ({@link Retention#decide},
     * with its floor, pins and untrusted dates), no prune of them is under way, and a failed one's wait is over.
     */
    public static List<RestorePoint> due(RetentionRule rule, JobState state, Map<String, Pending> pending,
            Instant now) {
        Map<String, RestorePoint> byId = new LinkedHashMap<>();
        state.getRestorePoints().forEach(point -> byId.putIfAbsent(point.getId(), point));
        List<RestorePoint> due = new ArrayList<>();
        for (Retention.Entry entry : Retention.decide(rule.policy(), rule.keepAtLeast(), state.getRestorePoints(), now)) {
            if (entry.keep() || !entry.counted() || entry.flag() != null || entry.pinned()) {
                continue;
            }
            Pending under = pending.get(entry.id());
            if (under == null || !under.blocks(now)) {
                due.add(byId.get(entry.id()));
            }
        }
        return due;
    }

    /**
     * The commands that prune {@code points} of the job: for an agent, one per point (its action deletes one restore
     * point, named in its parameters); for a webhook, one with the list.
     */
    public static List<Command> commands(RetentionRule rule, JobState state, List<RestorePoint> points,
            Map<String, Pending> pending, Instant now) {
        Chain.Action target = rule.prune();
        List<Command> commands = new ArrayList<>();
        if (points.isEmpty()) {
            return commands;
        }
        if (target.isWebhook()) {
            int attempt = points.stream().mapToInt(point -> attemptOf(pending.get(point.getId()))).max().orElse(1);
            commands.add(command(rule, state, points, attempt, now));
        } else {
            for (RestorePoint point : points) {
                commands.add(command(rule, state, List.of(point), attemptOf(pending.get(point.getId())), now));
            }
        }
        return commands;
    }

    private static int attemptOf(Pending pending) {
        return pending == null ? 1 : pending.attempt() + 1;
    }

    static Command command(RetentionRule rule, JobState state, List<RestorePoint> points, int attempt, Instant now) {
        Chain.Action target = rule.prune();
        String jobKey = state.getJobKey();
        List<String> ids = points.stream().map(RestorePoint::getId).toList();
        String id = commandId(jobKey, ids, attempt);
        RunSummary last = state.getLastRun();
        ChainCause cause = ChainCause.newBuilder()
                .setCommandId(id)
                .setRule(rule.ruleName())
                .setDepth(last == null ? 1 : ChainLogic.depthOf(last) + 1)
                .setUpstream(last == null ? List.of() : List.of(ChainLogic.upstream(jobKey, last)))
                .build();
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("job", jobKey);
        parameters.put("rule", rule.ruleName());
        parameters.put("policy", rule.pattern());
        parameters.put("attempt", Integer.toString(attempt));
        if (points.size() == 1) {
            RestorePoint point = points.get(0);
            put(parameters, "restore-point", point.getId());
            put(parameters, "restore-point-location", point.getLocation());
            put(parameters, "restore-point-host", point.getHost());
            ZoneOffset offset = ZoneOffset.ofTotalSeconds(Math.max(-18 * 3600,
                    Math.min(18 * 3600, point.getUtcOffsetSeconds())));
            parameters.put("restore-point-time", point.getCreatedAt().atOffset(offset).toString());
            parameters.put("restore-point-stamp", point.getCreatedAt().atOffset(offset).format(STAMP));
            put(parameters, "restore-point-tags", String.join(",", point.getTags()));
        }
        parameters.putAll(target.parameters());
        List<RestorePoint> order = new ArrayList<>(points.size());
        points.forEach(point -> order.add(Records.deepCopy(point)));
        return Command.newBuilder()
                .setCommandId(id)
                .setCreatedAt(now)
                .setCause(cause)
                .setKind(target.isWebhook() ? ActionKind.WEBHOOK : ActionKind.AGENT)
                .setAgent(target.agent())
                .setAction(target.action())
                .setJobKey(target.jobKey())
                .setParameters(parameters)
                .setNotBefore(now)
                .setExpiresAt(now.plus(EXPIRE_AFTER))
                .setPrune(PruneOrder.newBuilder()
                        .setJobKey(jobKey)
                        .setPolicy(rule.pattern())
                        .setAttempt(attempt)
                        .setRestorePoints(order)
                        .build())
                .build();
    }

    private static void put(Map<String, String> parameters, String key, String value) {
        if (value != null && !value.isEmpty()) {
            parameters.put(key, value.replaceAll("\\p{Cntrl}", " "));
        }
    }

    /** A digest of the job, its points and the attempt: a decision made again gives the same command. */
    static String commandId(String jobKey, List<String> pointIds, int attempt) {
        List<String> parts = new ArrayList<>(List.of("prune", jobKey, Integer.toString(attempt)));
        parts.addAll(pointIds);
        return ChainLogic.commandId(parts);
    }

    /**
     * What the end of a prune's run writes into the job whose points it pruned: RESTORE_POINT_DELETED per point when
     * it succeeded, RESTORE_POINT_PRUNE_FAILED per point when it failed, was refused or expired; nothing for any other
     * change.
     */
    public static List<BackupEvent> results(JobChange change) {
        BackupEvent event = change.event();
        if (event.getCommand() == null || event.getCommand().getPrune() == null) {
            return List.of();
        }
        RunSummary run = ChainLogic.endedRun(change.before(), change.after(), event);
        if (run == null) {
            return List.of();
        }
        PruneOrder order = event.getCommand().getPrune();
        boolean deleted = run.getOutcome() == RunOutcome.SUCCEEDED || run.getOutcome() == RunOutcome.WARNING;
        String commandId = event.getCommand().getCause().getCommandId();
        String owner = order.getJobKey();
        int slash = owner.indexOf('/');
        List<BackupEvent> results = new ArrayList<>();
        for (RestorePoint point : order.getRestorePoints()) {
            String attempt = "attempt " + order.getAttempt() + ", command " + commandId;
            String why = deleted ? null : run.getErrorMessage() != null
                    ? run.getErrorMessage() + " (" + attempt + ")"
                    : "prune of restore point " + point.getId() + " (" + attempt + ") "
                            + (run.getOutcome() == RunOutcome.ABORTED ? "was interrupted" : "failed");
            results.add(BackupEvent.newBuilder()
                    .setEventId(commandId + (deleted ? ":deleted:" : ":prune-failed:") + point.getId()
                            + (deleted ? "" : ":" + event.getEventId()))
                    .setReceivedAt(event.getReceivedAt())
                    .setSourceKind(SourceKind.AGENT)
                    .setSourceName(event.getSourceName())
                    .setHost(null)
                    .setJob(slash < 0 ? owner : owner.substring(slash + 1))
                    .setJobKey(owner)
                    .setRunId(commandId)
                    .setType(deleted ? EventType.RESTORE_POINT_DELETED : EventType.RESTORE_POINT_PRUNE_FAILED)
                    .setOutcome(deleted ? null : RunOutcome.FAILED)
                    .setErrorMessage(why)
                    .setErrors(why == null ? List.of() : List.of(why))
                    .setRestorePoint(Records.deepCopy(point))
                    .setLabels(Map.of("prune-job", change.jobKey(), "prune-attempt",
                            Integer.toString(order.getAttempt())))
                    .build());
        }
        return results;
    }
}
