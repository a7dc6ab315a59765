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
    /** What other instances answered for their jobs: each command addressed to it by id; null for a job unknown. */
    private final Map<String, Map<String, JsonNode>> asked = new HashMap<>();

    CommandStatuses(ReadOnlyKeyValueStore<String, JobState> jobs, Peers peers) {
        this.jobs = jobs;
        this.peers = peers;
    }

    /** The command with its status; {@link Peers.Unreachable} when the instance that holds its job did not answer. */
    CommandView view(Command command) throws Peers.Unreachable {
        String jobKey = command.getJobKey();
        Optional<HostInfo> holder = peers.holderOf(TopologyProducer.JOB_STATE_STORE, jobKey);
        if (holder.isEmpty()) {
            JobState job = jobs.get(jobKey);
            CommandStatus status = job == null ? null : job.getCommands().stream()
                    .filter(c -> c.getCause().getCommandId().equals(command.getCommandId())).findFirst().orElse(null);
            return CommandView.of(command, status, status == null && job != null && dropped(command));
        }
        if (!asked.containsKey(jobKey)) {
            asked.put(jobKey, ask(holder.get(), jobKey));
        }
        Map<String, JsonNode> addressed = asked.get(jobKey);
        JsonNode link = addressed == null ? null : addressed.get(command.getCommandId());
        if (link == null) {
            return CommandView.of(command, null, addressed != null && dropped(command));
        }
        JsonNode updatedAt = link.path("updatedAt");
        JsonNode exitCode = link.path("exitCode");
        return CommandView.of(command, link.path("status").asText("unknown"),
                updatedAt.isTextual() ? Instant.parse(updatedAt.asText()) : command.getCreatedAt(),
                exitCode.isInt() ? exitCode.asInt() : null);
    }

    /** Not in its job's state: its queued event is on its way, or, issued long enough ago, the job let it go. */
    private static boolean dropped(Command command) {
        return command.getCreatedAt().isBefore(Instant.now().minus(QUEUED_EVENT_WAY));
    }

    private Map<String, JsonNode> ask(HostInfo holder, String jobKey) throws Peers.Unreachable {
        Peers.Answer answer = peers.ask(holder, "/api/jobs/" + path(jobKey) + "?only=commands");
        if (answer.status() == 404) {
            return null;
        }
        if (answer.status() != 200 || answer.body() == null || !answer.body().isArray()) {
            throw new Peers.Unreachable("instance " + holder + " answered " + answer.status() + " for the commands of "
                    + jobKey);
        }
        Map<String, JsonNode> byId = new HashMap<>();
        answer.body().forEach(link -> byId.put(link.path("commandId").asText(), link));
        return byId;
    }

    /** A job key as a path: each of its segments encoded, the slashes between them kept. */
    static String path(String jobKey) {
        return java.util.Arrays.stream(jobKey.split("/", -1))
                .map(segment -> URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"))
                .collect(java.util.stream.Collectors.joining("/"));
    }
}
