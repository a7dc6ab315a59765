package io.hookline.processor.rest;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.hookline.schema.ChainCause;
import io.hookline.schema.Command;
import io.hookline.schema.UpstreamRun;

/** A chained command as /api/commands and a job's links show it: what caused it, where it stands. */
public record CommandView(String commandId, String rule, String kind, String agent, String action, String jobKey,
        String status, Instant createdAt, Instant notBefore, Instant expiresAt, Instant updatedAt, Integer exitCode,
        int depth, List<UpstreamView> upstream, Map<String, String> parameters) {

    /** A run that caused a command. */
    public record UpstreamView(String jobKey, String runId, String outcome, Instant finishedAt) {

        static List<UpstreamView> of(ChainCause cause) {
            return cause.getUpstream().stream().map(UpstreamView::of).toList();
        }

        static UpstreamView of(UpstreamRun run) {
            return new UpstreamView(run.getJobKey(), run.getRunId(), lower(run.getOutcome().name()), run.getFinishedAt());
        }
    }

    /**
     * The command as it stands: {@code status} (lower case) since {@code updatedAt}, as its job's state has folded it
     * ({@link CommandStatuses}).
     */
    static CommandView of(Command command, String status, Instant updatedAt, Integer exitCode) {
        return new CommandView(command.getCommandId(), command.getCause().getRule(), lower(command.getKind().name()),
                command.getAgent(), command.getAction(), command.getJobKey(), status, command.getCreatedAt(),
                command.getNotBefore(), command.getExpiresAt(), updatedAt, exitCode, command.getCause().getDepth(),
                UpstreamView.of(command.getCause()), command.getParameters());
    }

    /** As another instance keeps it, before this one reads where it stands: no status yet. */
    static CommandView kept(Command command) {
        return of(command, null, null, null);
    }

    static String lower(String name) {
        return name.toLowerCase(Locale.ROOT);
    }
}
