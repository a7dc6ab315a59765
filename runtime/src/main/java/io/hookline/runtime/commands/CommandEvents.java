package io.hookline.runtime.commands;

import java.time.Instant;

import io.hookline.schema.ActionKind;
import io.hookline.schema.BackupEvent;
import io.hookline.schema.Command;
import io.hookline.schema.CommandDetail;
import io.hookline.schema.EventType;
import io.hookline.schema.SourceKind;

/**
 * The events of a command's life (a chain's or retention's), as both services write them to hookline.events: folded into the job the
 * command runs as ({@code <agent>/<job>}, {@code webhook/<job>}), with the command's id as the run id and an event id
 * made of the command's id and the step, so that a step reported twice is recognised as a retry.
 */
public final class CommandEvents {

    /** The source name a webhook action's runs are folded under. */
    public static final String WEBHOOK_SOURCE = "webhook";

    private CommandEvents() {
    }

    /** An event of {@code type} for the command; {@code step} ({@code :started}) makes its id. */
    public static BackupEvent.Builder of(Command command, EventType type, String step, Instant at) {
        String jobKey = command.getJobKey();
        return BackupEvent.newBuilder()
                .setEventId(command.getCommandId() + step)
                .setReceivedAt(at)
                .setSourceKind(SourceKind.AGENT)
                .setSourceName(sourceOf(command))
                .setHost(null)
                .setJob(jobKey.substring(jobKey.indexOf('/') + 1))
                .setJobKey(jobKey)
                .setRunId(command.getCommandId())
                .setType(type)
                .setCommand(CommandDetail.newBuilder()
                        .setCause(command.getCause())
                        .setKind(command.getKind())
                        .setAgent(command.getAgent())
                        .setAction(command.getAction())
                        .setNotBefore(command.getNotBefore())
                        .setExpiresAt(command.getExpiresAt())
                        .setExitCode(null)
                        .setOutput(null)
                        .setPrune(command.getPrune())
                        .build());
    }

    /** The source name a command's runs are folded under: its agent, or {@value #WEBHOOK_SOURCE}. */
    public static String sourceOf(Command command) {
        return command.getKind() == ActionKind.WEBHOOK ? WEBHOOK_SOURCE : command.getAgent();
    }

    /** For messages: the restore points a prune command deletes, and their job ({@code restore point X of job J}). */
    public static String pruned(Command command) {
        java.util.List<String> ids = command.getPrune().getRestorePoints().stream().map(point -> point.getId()).toList();
        return (ids.size() == 1 ? "restore point " + ids.get(0) : ids.size() + " restore points") + " of job "
                + command.getPrune().getJobKey();
    }
}
