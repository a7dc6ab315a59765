package io.hookline.processor.rest;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import com.fasterxml.jackson.databind.JsonNode;

import io.hookline.processor.streams.TopologyProducer;
import io.hookline.schema.Command;
import io.hookline.schema.CommandStatus;
import io.hookline.schema.JobState;

/**
 * Where chained commands stand, for one answer: each as the state of the job it runs as has folded it. That job is
 * in this instance's store, or another instance holds it and is asked once per job ({@code GET
 * /api/jobs/{key}?only=commands}, answered from its own store): a command that one instance issued for a job another
 * one holds reads as that job folded it, not as queued forever.
 */
final class CommandStatuses {

    /** How long a command's queued event may take to reach its job before a job that lacks it has dropped it. */
    static final Duration QUEUED_EVENT_WAY = Duration.ofMinutes(1);

    private final ReadOnlyKeyValueStore<String, JobState> jobs;
    private final Peers peers;
    /**
     * What each job read so far says of the commands addressed to it, by id; {@link #UNKNOWN_JOB} for a job no event
     * has made yet. Read once per job and answer: a list of 30 days of commands is addressed to few jobs, and a
     * job's state is decoded once, not once per command.
     */
    private final Map<String, Map<String, Progress>> addressed = new HashMap<>();
    private static final Map<String, Progress> UNKNOWN_JOB = java.util.Collections.unmodifiableMap(new HashMap<>());

    /** Where one command stands as its job folded it. */
    record Progress(String status, Instant updatedAt, Integer exitCode) {
    }

    private static final Progress QUEUED = new Progress("queued", null, null);
    private static final Progress UNKNOWN = new Progress("unknown", null, null);

    CommandStatuses(ReadOnlyKeyValueStore<String, JobState> jobs, Peers peers) {
        this.jobs = jobs;
        this.peers = peers;
    }

    /** The command with its status; {@link Peers.Unreachable} when the instance that holds its job did not answer. */
    CommandView view(Command command) throws Peers.Unreachable {
        Progress progress = progress(command);
        return CommandView.of(command, progress.status(),
                progress.updatedAt() == null ? command.getCreatedAt() : progress.updatedAt(), progress.exitCode());
    }

    /**
     * A command another instance keeps, as it answered it without a status (a fan-in's, for a job page), with where
     * it stands read here: from this instance's store or the job's holder, as for this instance's own commands.
     */
    CommandView view(CommandView kept) throws Peers.Unreachable {
        Progress progress = progress(kept.jobKey(), kept.commandId(), kept.createdAt());
        return new CommandView(kept.commandId(), kept.rule(), kept.kind(), kept.agent(), kept.action(), kept.jobKey(),
                progress.status(), kept.createdAt(), kept.notBefore(), kept.expiresAt(),
                progress.updatedAt() == null ? kept.createdAt() : progress.updatedAt(), progress.exitCode(),
                kept.depth(), kept.upstream(), kept.parameters());
    }

    /** Its status only, as {@link #view} has it: for a filter or a count over many commands, no view is built. */
    String status(Command command) throws Peers.Unreachable {
        return progress(command).status();
    }

    /**
     * As its job folded it; not in the job's state, {@code queued} (its queued event is on its way) or, issued long
     * enough ago to a job that exists, {@code unknown} (the job keeps only its newest commands).
     */
    private Progress progress(Command command) throws Peers.Unreachable {
        return progress(command.getJobKey(), command.getCommandId(), command.getCreatedAt());
    }

    private Progress progress(String jobKey, String commandId, Instant createdAt) throws Peers.Unreachable {
        Map<String, Progress> known = addressedTo(jobKey);
        Progress progress = known.get(commandId);
        if (progress != null) {
            return progress;
        }
        return known != UNKNOWN_JOB && dropped(createdAt) ? UNKNOWN : QUEUED;
    }

    private Map<String, Progress> addressedTo(String jobKey) throws Peers.Unreachable {
        Map<String, Progress> known = addressed.get(jobKey);
        if (known == null) {
            known = read(jobKey);
            addressed.put(jobKey, known);
        }
        return known;
    }

    /** Issued longer ago than its queued event may take to reach its job. */
    private static boolean dropped(Instant createdAt) {
        return createdAt.isBefore(Instant.now().minus(QUEUED_EVENT_WAY));
    }

    /** The commands addressed to {@code jobKey}, from this instance's store or the instance that holds the job. */
    private Map<String, Progress> read(String jobKey) throws Peers.Unreachable {
        Optional<HostInfo> holder = peers.holderOf(TopologyProducer.JOB_STATE_STORE, jobKey);
        if (holder.isPresent()) {
            return ask(holder.get(), jobKey);
        }
        JobState job = jobs.get(jobKey);
        if (job == null) {
            return UNKNOWN_JOB;
        }
        Map<String, Progress> byId = new HashMap<>();
        for (CommandStatus status : job.getCommands()) {
            byId.put(status.getCause().getCommandId(), new Progress(CommandView.lower(status.getStatus().name()),
                    status.getUpdatedAt(), status.getExitCode()));
        }
        return byId;
    }

    private Map<String, Progress> ask(HostInfo holder, String jobKey) throws Peers.Unreachable {
        Peers.Answer answer = peers.ask(holder, "/api/jobs/" + path(jobKey) + "?only=commands");
        if (answer.status() == 404) {
            return UNKNOWN_JOB;
        }
        if (answer.status() != 200 || answer.body() == null || !answer.body().isArray()) {
            throw new Peers.Unreachable("instance " + holder + " answered " + answer.status() + " for the commands of "
                    + jobKey);
        }
        Map<String, Progress> byId = new HashMap<>();
        for (JsonNode link : answer.body()) {
            JsonNode updatedAt = link.path("updatedAt");
            JsonNode exitCode = link.path("exitCode");
            byId.put(link.path("commandId").asText(), new Progress(link.path("status").asText("unknown"),
                    updatedAt.isTextual() ? Instant.parse(updatedAt.asText()) : null,
                    exitCode.isInt() ? exitCode.asInt() : null));
        }
        return byId;
    }

    /** A job key as a path: each of its segments encoded, the slashes between them kept. */
    static String path(String jobKey) {
        return java.util.Arrays.stream(jobKey.split("/", -1))
                .map(segment -> URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"))
                .collect(java.util.stream.Collectors.joining("/"));
    }
}
