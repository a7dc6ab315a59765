package io.hookline.processor.rest;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import com.fasterxml.jackson.databind.JsonNode;

import io.hookline.processor.streams.TopologyProducer;
import io.hookline.runtime.text.Excerpt;
import io.hookline.schema.Command;
import io.hookline.schema.CommandStatus;
import io.hookline.schema.JobState;

/**
 * Where chained commands stand, for one answer: each as the state of the job it runs as has folded it. That job is
 * in this instance's store, or another instance holds it and is asked, once per job and answer, from its own store:
 * a command that one instance issued for a job another one holds reads as that job folded it, not as queued forever.
 * A list reads its jobs ahead ({@link #readAhead}: {@code GET /api/commands/addressed}, many jobs an ask); a job read
 * on its own is asked with {@code GET /api/jobs/{key}?only=commands}.
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

    /**
     * How many of one answer's asks of other instances are on their way at once, and how long one ask's query may be:
     * the asks go over HTTP/2, where an instance of an earlier release takes 8 KiB of headers (the path and the
     * forwarded credentials among them; this one 64 KiB), and a proxy between them may take no more. A list whose
     * commands are addressed to a thousand jobs another instance holds is a few asks (about 100 jobs each), not a
     * thousand answers waited for one after the other.
     */
    static final int ASKS_AT_ONCE = 4;
    static final int ASK_QUERY_CHARS = 4_000;

    CommandStatuses(ReadOnlyKeyValueStore<String, JobState> jobs, Peers peers) {
        this.jobs = jobs;
        this.peers = peers;
    }

    /** Whether another instance holds jobs: only then may a command's status need an ask, and a read ahead pay. */
    boolean othersHoldJobs() {
        return !peers.holdersElsewhere(TopologyProducer.JOB_STATE_STORE).isEmpty();
    }

    /**
     * Reads now what the instances that hold them say of the commands addressed to {@code jobKeys}, many jobs an ask
     * ({@code /api/commands/addressed}) and up to {@link #ASKS_AT_ONCE} asks on their way at a time, so that the
     * statuses read after it need no ask; the jobs this instance holds, and those read already, are left to be read
     * when needed. An instance of a release without that path is asked job by job. On the request's thread.
     */
    void readAhead(Iterable<String> jobKeys) throws Peers.Unreachable {
        Map<HostInfo, List<String>> byHolder = new LinkedHashMap<>();
        Set<String> seen = new HashSet<>();
        for (String jobKey : jobKeys) {
            if (!addressed.containsKey(jobKey) && seen.add(jobKey)) {
                peers.holderOf(TopologyProducer.JOB_STATE_STORE, jobKey)
                        .ifPresent(holder -> byHolder.computeIfAbsent(holder, h -> new ArrayList<>()).add(jobKey));
            }
        }
        Deque<Asked> onTheirWay = new ArrayDeque<>();
        for (Map.Entry<HostInfo, List<String>> held : byHolder.entrySet()) {
            StringBuilder query = new StringBuilder();
            List<String> batch = new ArrayList<>();
            for (String jobKey : held.getValue()) {
                String job = "job=" + URLEncoder.encode(jobKey, StandardCharsets.UTF_8).replace("+", "%20");
                if (job.length() > ASK_QUERY_CHARS) {
                    continue; // asked on its own when its status is read, as any job was before
                }
                if (query.length() + 1 + job.length() > ASK_QUERY_CHARS
                        || batch.size() == CommandsResource.ADDRESSED_MAX) {
                    send(held.getKey(), query, batch, onTheirWay);
                    query = new StringBuilder();
                    batch = new ArrayList<>();
                }
                query.append(query.isEmpty() ? "" : "&").append(job);
                batch.add(jobKey);
            }
            send(held.getKey(), query, batch, onTheirWay);
        }
        while (!onTheirWay.isEmpty()) {
            settle(onTheirWay.removeFirst());
        }
    }

    private record Asked(HostInfo holder, List<String> jobKeys, CompletableFuture<Peers.Answer> answer) {
    }

    /** Asks {@code holder} for {@code jobKeys} (none: nothing), once fewer than ASKS_AT_ONCE asks are on their way. */
    private void send(HostInfo holder, CharSequence query, List<String> jobKeys, Deque<Asked> onTheirWay)
            throws Peers.Unreachable {
        if (jobKeys.isEmpty()) {
            return;
        }
        if (onTheirWay.size() == ASKS_AT_ONCE) {
            settle(onTheirWay.removeFirst());
        }
        onTheirWay.addLast(new Asked(holder, jobKeys, peers.askLater(holder, "/api/commands/addressed?" + query)));
    }

    private void settle(Asked asked) throws Peers.Unreachable {
        Peers.Answer answer = Peers.await(asked.holder(), asked.answer());
        if (answer.status() == 404) {
            // A release before the path: the job's own page, one ask a job.
            for (String jobKey : asked.jobKeys()) {
                addressed.put(jobKey, ask(asked.holder(), jobKey));
            }
            return;
        }
        JsonNode commands = answer.body() == null ? null : answer.body().path("commands");
        JsonNode unknown = answer.body() == null ? null : answer.body().path("unknown");
        if (answer.status() != 200 || commands == null || !commands.isObject() || !unknown.isArray()) {
            throw new Peers.Unreachable("instance " + asked.holder() + " answered " + answer.status()
                    + " for the commands of " + asked.jobKeys().size() + " jobs");
        }
        Map<String, Map<String, Progress>> read = new HashMap<>();
        unknown.forEach(jobKey -> read.put(jobKey.asText(), UNKNOWN_JOB));
        for (Map.Entry<String, JsonNode> job : commands.properties()) {
            read.put(job.getKey(), byId(asked.holder(), job.getKey(), job.getValue()));
        }
        for (String jobKey : asked.jobKeys()) {
            Map<String, Progress> known = read.get(jobKey);
            if (known == null) {
                throw new Peers.Unreachable("instance " + asked.holder() + " did not answer for the commands of "
                        + Excerpt.quoted(jobKey));
            }
            addressed.put(jobKey, known);
        }
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
        if (answer.status() != 200) {
            throw new Peers.Unreachable("instance " + holder + " answered " + answer.status() + " for the commands of "
                    + Excerpt.quoted(jobKey));
        }
        return byId(holder, jobKey, answer.body());
    }

    /** The commands addressed to {@code jobKey} by id, from the list {@code holder} answered (its newest 20). */
    private static Map<String, Progress> byId(HostInfo holder, String jobKey, JsonNode links) throws Peers.Unreachable {
        if (links == null || !links.isArray()) {
            throw new Peers.Unreachable("instance " + holder + " did not answer a list of the commands of "
                    + Excerpt.quoted(jobKey));
        }
        Map<String, Progress> byId = new HashMap<>();
        for (JsonNode link : links) {
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
