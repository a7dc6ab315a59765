package io.hookline.gateway.agent;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import io.hookline.gateway.secrets.SecretScrubber;
import io.hookline.gateway.source.Source;
import io.hookline.runtime.commands.CommandEvents;
import io.hookline.runtime.text.Excerpt;
import io.hookline.schema.AgentDetail;
import io.hookline.schema.BackupEvent;
import io.hookline.schema.Command;
import io.hookline.schema.EventType;
import io.hookline.schema.RunOutcome;
import io.hookline.schema.SourceKind;

/**
 * The agent protocol as pure functions: the text a poll answers (one field per line, so that a POSIX shell reads it
 * with {@code read}), and the events the gateway writes for what an agent reports. What an event says of a command
 * (its job, rule, cause) comes from the command as the processor wrote it, never from the agent.
 */
public final class AgentReports {

    private static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}");


    /** The job an agent's own polls are folded into: {@code <agent>/agent}. */
    public static final String AGENT_JOB = "agent";
    static final Pattern COMMAND_ID = Pattern.compile("cmd_[0-9a-f]{32}");
    static final Pattern PARAMETER = Pattern.compile("[a-z][a-z0-9-]{0,31}");
    static final Pattern ACTION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    /** Lines of an action's output kept with its result. */
    static final int OUTPUT_LINES = 20;

    private AgentReports() {
    }

    /**
     * A poll's answer: for each command, {@code command <id>}, {@code action <name>}, {@code expires <epoch s>},
     * {@code param <name> <value>} per parameter, then {@code end}. A value is one line: control characters become
     * spaces; a parameter whose name is not a plain name is left out.
     */
    public static String answer(List<Command> commands) {
        StringBuilder text = new StringBuilder();
        for (Command command : commands) {
            text.append("command ").append(command.getCommandId()).append('\n');
            text.append("action ").append(oneLine(command.getAction())).append('\n');
            text.append("expires ").append(command.getExpiresAt().getEpochSecond()).append('\n');
            for (Map.Entry<String, String> parameter : new java.util.TreeMap<>(command.getParameters()).entrySet()) {
                if (PARAMETER.matcher(parameter.getKey()).matches()) {
                    text.append("param ").append(parameter.getKey()).append(' ').append(oneLine(parameter.getValue()))
                            .append('\n');
                }
            }
            text.append("end\n");
        }
        return text.toString();
    }

    static String oneLine(String value) {
        return value == null ? "" : CONTROL.matcher(value).replaceAll(" ");
    }

    /** The agent's polls, folded into its own job: who it is, what it offers, what waits for it. */
    public static BackupEvent seen(Source agent, String version, List<String> actions, int pending, String host,
            Instant at, String eventId) {
        return base(agent.name(), agent.name() + "/" + AGENT_JOB, AGENT_JOB, EventType.AGENT_SEEN, eventId, at)
                .setHost(host)
                .setAgent(AgentDetail.newBuilder().setVersion(version).setActions(actions).setPendingCommands(pending)
                        .build())
                .build();
    }

    public static BackupEvent delivered(Command command, Instant at) {
        return life(command, EventType.COMMAND_DELIVERED, ":delivered", at).build();
    }

    public static BackupEvent started(Command command, String host, Instant at) {
        return life(command, EventType.RUN_STARTED, ":started", at).setHost(host).build();
    }

    /**
     * The end of an action: exit 0 succeeded, any other failed with the code and the last line of output;
     * {@code interrupted}: the agent restarted while it ran and did not run it again (aborted).
     */
    public static BackupEvent finished(Command command, String host, int exitCode, boolean interrupted, Long durationMs,
            String output, int outputChars, Instant at) {
        String tail = tail(output, outputChars);
        boolean ok = exitCode == 0 && !interrupted;
        String lastLine = lastLine(tail);
        String message = interrupted ? "the agent restarted while action " + command.getAction()
                + " ran; it was not run again"
                : ok ? null : "exit code " + exitCode + (lastLine == null ? "" : ": " + lastLine);
        if (message != null && command.getPrune() != null) {
            message = "prune of " + CommandEvents.pruned(command) + ": " + message;
        }
        BackupEvent.Builder event = life(command, ok ? EventType.RUN_SUCCEEDED : EventType.RUN_FAILED, ":finished", at)
                .setHost(host)
                .setOutcome(ok ? RunOutcome.SUCCEEDED : interrupted ? RunOutcome.ABORTED : RunOutcome.FAILED)
                .setErrorCode(interrupted ? null : Integer.toString(exitCode))
                .setErrorMessage(message)
                .setErrors(message == null ? List.of() : List.of(message))
                .setDurationMs(durationMs);
        event.getCommand().setExitCode(interrupted ? null : exitCode);
        event.getCommand().setOutput(tail);
        return event.build();
    }

    /** The agent would not run the command (an action its configuration does not list, an expired command). */
    public static BackupEvent refused(Command command, String host, String reason, Instant at) {
        String said = reason == null || reason.isBlank() ? "no reason given" : SecretScrubber.scrub(oneLine(reason));
        String why = (command.getPrune() == null ? "" : "prune of " + CommandEvents.pruned(command) + ": ")
                + "agent " + command.getAgent() + " refused action " + command.getAction() + ": "
                + Excerpt.of(said, 1000);
        return life(command, EventType.COMMAND_REFUSED, ":refused", at)
                .setHost(host)
                .setOutcome(RunOutcome.FAILED)
                .setErrorMessage(why)
                .setErrors(List.of(why))
                .build();
    }

    /** The last lines of an action's output, at most {@code chars}, each scrubbed of secrets. */
    static String tail(String output, int chars) {
        if (output == null || output.isEmpty()) {
            return null;
        }
        String[] lines = output.replace("\r\n", "\n").split("\n");
        List<String> kept = new ArrayList<>();
        int size = 0;
        for (int i = lines.length - 1; i >= 0 && kept.size() < OUTPUT_LINES; i--) {
            String line = SecretScrubber.scrub(CONTROL.matcher(lines[i]).replaceAll(" "));
            if (size + line.length() + 1 > chars) {
                break;
            }
            kept.add(0, line);
            size += line.length() + 1;
        }
        return kept.isEmpty() ? null : String.join("\n", kept);
    }

    private static String lastLine(String tail) {
        if (tail == null) {
            return null;
        }
        String[] lines = tail.split("\n");
        for (int i = lines.length - 1; i >= 0; i--) {
            if (!lines[i].isBlank()) {
                String line = lines[i].strip();
                return Excerpt.of(line, 300);
            }
        }
        return null;
    }

    private static BackupEvent.Builder life(Command command, EventType type, String suffix, Instant at) {
        return CommandEvents.of(command, type, suffix, at);
    }

    private static BackupEvent.Builder base(String agent, String jobKey, String job, EventType type, String eventId,
            Instant at) {
        return BackupEvent.newBuilder()
                .setEventId(eventId)
                .setReceivedAt(at)
                .setSourceKind(SourceKind.AGENT)
                .setSourceName(agent)
                .setJob(job)
                .setJobKey(jobKey)
                .setType(type);
    }
}
