package io.hookline.processor.state;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.hookline.schema.BackupEvent;
import io.hookline.schema.CommandDetail;
import io.hookline.schema.CommandState;
import io.hookline.schema.CommandStatus;
import io.hookline.schema.EventType;
import io.hookline.schema.JobState;
import io.hookline.schema.RunOutcome;
import io.hookline.schema.serde.Records;

/**
 * The status of the chained commands addressed to a job, folded from the events of their life: queued (by the
 * processor), delivered (by the gateway), started and finished (reported by the agent), refused (by the agent) or
 * expired (by the processor, when nobody picked it up in time). A late event never moves a command back: an
 * expiry after the agent started it, or a start after it finished, changes nothing.
 */
final class CommandFold {

    /** Commands kept per job, newest first. */
    static final int RECENT_COMMANDS = 20;

    private CommandFold() {
    }

    static boolean applies(EventType type) {
        return switch (type) {
            case COMMAND_QUEUED, COMMAND_DELIVERED, COMMAND_REFUSED, COMMAND_EXPIRED, RUN_STARTED, RUN_SUCCEEDED,
                    RUN_FAILED -> true;
            default -> false;
        };
    }

    /**
     * Updates the command's status; false when the event goes no further than that (queued, delivered, or too late
     * to mean anything), true when the fold should also treat it as the start or end of a run.
     */
    static boolean apply(JobState state, BackupEvent event, Instant at) {
        CommandDetail detail = event.getCommand();
        String id = detail.getCause().getCommandId();
        List<CommandStatus> commands = new ArrayList<>(state.getCommands());
        int index = indexOf(commands, id);
        CommandStatus current = index < 0 ? null : commands.get(index);
        EventType type = event.getType();
        if (type == EventType.COMMAND_QUEUED) {
            if (current == null) {
                state.setCommands(JobStateFold.prepend(commands, queued(detail, at), RECENT_COMMANDS));
            }
            return false;
        }
        CommandState next = switch (type) {
            case COMMAND_DELIVERED -> CommandState.DELIVERED;
            case RUN_STARTED -> CommandState.STARTED;
            case COMMAND_REFUSED -> CommandState.REFUSED;
            case COMMAND_EXPIRED -> CommandState.EXPIRED;
            default -> JobStateFold.outcomeOf(event) == RunOutcome.FAILED
                    || JobStateFold.outcomeOf(event) == RunOutcome.ABORTED ? CommandState.FAILED : CommandState.SUCCEEDED;
        };
        CommandState was = current == null ? CommandState.QUEUED : current.getStatus();
        if (rank(next) <= rank(was) && current != null) {
            return false;
        }
        CommandStatus updated = current == null ? queued(detail, at) : Records.deepCopy(current);
        updated.setStatus(next);
        updated.setUpdatedAt(event.getReceivedAt());
        if (detail.getExitCode() != null) {
            updated.setExitCode(detail.getExitCode());
        }
        if (index >= 0) {
            commands.set(index, updated);
            state.setCommands(commands);
        } else {
            state.setCommands(JobStateFold.prepend(commands, updated, RECENT_COMMANDS));
        }
        return type != EventType.COMMAND_DELIVERED;
    }

    /**
     * Queued, delivered, started, ended: a status only moves forward; a success after a failure (a dead webhook
     * replayed) still counts.
     */
    private static int rank(CommandState state) {
        return switch (state) {
            case QUEUED -> 0;
            case DELIVERED -> 1;
            case STARTED -> 2;
            case SUCCEEDED -> 4;
            default -> 3;
        };
    }

    private static CommandStatus queued(CommandDetail detail, Instant at) {
        return CommandStatus.newBuilder()
                .setCause(Records.deepCopy(detail.getCause()))
                .setKind(detail.getKind())
                .setAgent(detail.getAgent())
                .setAction(detail.getAction())
                .setStatus(CommandState.QUEUED)
                .setQueuedAt(at)
                .setUpdatedAt(at)
                .setNotBefore(detail.getNotBefore())
                .setExpiresAt(detail.getExpiresAt())
                .setExitCode(null)
                .build();
    }

    private static int indexOf(List<CommandStatus> commands, String id) {
        for (int i = 0; i < commands.size(); i++) {
            if (commands.get(i).getCause().getCommandId().equals(id)) {
                return i;
            }
        }
        return -1;
    }
}
