package io.hookline.processor.rest;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.eclipse.microprofile.openapi.annotations.Operation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.hookline.processor.ProcessorConfig;
import io.hookline.processor.chains.ChainReactor;
import io.hookline.processor.react.JobIndex;
import io.hookline.processor.streams.TopologyProducer;
import io.hookline.runtime.text.Excerpt;
import io.hookline.schema.Command;
import io.hookline.schema.JobState;
import io.hookline.schema.SourceKind;

/** The chained commands and the host agents that run them, read from the Kafka Streams state stores. */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
public class CommandsResource {

    static final Set<String> STATUSES = Set.of("queued", "delivered", "started", "succeeded", "failed", "refused",
            "expired", "unknown");
    static final int MAX_LIMIT = 1000;
    /** How long after its expiry a command may still read as waiting, before the expiry is folded into its job. */
    static final Duration STILL_WAITING = Duration.ofMinutes(5);

    private final KafkaStreams streams;
    private final Duration offlineAfter;

    private final JobIndex index;
    private final Peers peers;
    private final ObjectMapper json;

    public CommandsResource(KafkaStreams streams, ProcessorConfig config, JobIndex index, Peers peers,
            ObjectMapper json) {
        this.streams = streams;
        this.index = index;
        this.peers = peers;
        this.json = json;
        this.offlineAfter = config.agents().offlineAfter();
    }

    @GET
    @Path("/commands")
    @Operation(summary = "Chained commands, newest first: ?agent=, ?job= (the job it runs as, or an upstream job), "
            + "?status= (queued, delivered, started, succeeded, failed, refused, expired), ?limit= (default 100)")
    public Response commands(@QueryParam("agent") String agent, @QueryParam("job") String job,
            @QueryParam("status") String status, @QueryParam("limit") String limitText) {
        Integer limit = JobQuery.number(limitText);
        if (limitText != null && limit == null) {
            return bad("limit must be a whole number from 1 to " + MAX_LIMIT + ", not '" + Excerpt.quoted(limitText)
                    + "'");
        }
        int size = limit == null ? 100 : limit;
        if (size < 1 || size > MAX_LIMIT) {
            return bad("limit must be from 1 to " + MAX_LIMIT + ", not " + size);
        }
        if (status != null && !STATUSES.contains(status)) {
            return bad("status must be one of " + new java.util.TreeSet<>(STATUSES) + ", not '" + status + "'");
        }
        try {
            Peers.Gathering elsewhere = peers.gatherLater(ChainReactor.COMMANDS, ChainReactor.FAN_IN_COMMANDS);
            CommandStatuses statuses = new CommandStatuses(jobs(), peers);
            // The newest page of those that match, never more than a page in memory however many commands the
            // last 30 days issued; a command's status (from its job's state, read once per job) only where the
            // filter needs it, its view only for the page.
            java.util.TreeSet<Command> page = new java.util.TreeSet<>(NEWEST_FIRST);
            long[] total = {0};
            java.util.function.Predicate<Command> selected = command -> (agent == null
                    || agent.equals(command.getAgent())) && (job == null || job.equals(command.getJobKey())
                    || command.getCause().getUpstream().stream().anyMatch(u -> u.getJobKey().equals(job)));
            if (status != null) {
                readAhead(statuses, selected);
            }
            issued(streams, command -> {
                if (!selected.test(command)) {
                    return;
                }
                if (status != null && !status.equals(statuses.status(command))) {
                    return;
                }
                total[0]++;
                if (page.size() == size && NEWEST_FIRST.compare(command, page.last()) > 0) {
                    return;
                }
                page.add(command);
                if (page.size() > size) {
                    page.pollLast();
                }
            });
            statuses.readAhead(page.stream().map(Command::getJobKey).toList());
            List<CommandView> views = new ArrayList<>(page.size());
            for (Command command : page) {
                views.add(statuses.view(command));
            }
            // The other instances' own newest pages, merged with this one's.
            List<Peers.Answer> answers = elsewhere.answers();
            if (answers.isEmpty()) {
                return Response.ok(views).header("X-Total-Count", total[0]).build();
            }
            Peers.Page merged = peers.merge(views, total[0], false, answers, size, NEWEST_FIRST_JSON);
            return Response.ok(merged.items()).header("X-Total-Count", merged.total()).build();
        } catch (Peers.Unreachable e) {
            return Peers.unreachable(e.getMessage());
        } catch (InvalidStateStoreException | IllegalStateException e) {
            return notReady();
        }
    }

    /** At most this many jobs in one ask of /api/commands/addressed. */
    static final int ADDRESSED_MAX = 1000;

    @GET
    @Path("/commands/addressed")
    @Operation(summary = "The commands addressed to each ?job= (repeated, at most 1000) as this instance's own store "
            + "has them, without asking another instance: {\"commands\": {job: [{commandId, status, updatedAt, "
            + "exitCode} of its newest 20]}, \"unknown\": [jobs it holds no state of]}. The other instances ask it for "
            + "the statuses of a list, many jobs an ask")
    public Response addressed(@QueryParam("job") List<String> jobKeys) {
        if (jobKeys == null || jobKeys.isEmpty()) {
            return bad("name at least one job: ?job=<job key>, repeated for more");
        }
        if (jobKeys.size() > ADDRESSED_MAX) {
            return bad("at most " + ADDRESSED_MAX + " jobs an ask, not " + jobKeys.size());
        }
        try {
            ReadOnlyKeyValueStore<String, JobState> store = jobs();
            Map<String, List<Standing>> commands = new java.util.LinkedHashMap<>();
            List<String> unknown = new ArrayList<>();
            for (String jobKey : new java.util.LinkedHashSet<>(jobKeys)) {
                JobState state = store.get(jobKey);
                if (state == null) {
                    unknown.add(jobKey);
                } else {
                    commands.put(jobKey, state.getCommands().stream().map(Standing::of).toList());
                }
            }
            return Response.ok(Map.of("commands", commands, "unknown", unknown)).build();
        } catch (InvalidStateStoreException | IllegalStateException e) {
            return notReady();
        }
    }

    /** Where one command addressed to a job stands, as the job folded it: what another instance's list needs. */
    record Standing(String commandId, String status, Instant updatedAt, Integer exitCode) {
        static Standing of(io.hookline.schema.CommandStatus status) {
            return new Standing(status.getCause().getCommandId(), CommandView.lower(status.getStatus().name()),
                    status.getUpdatedAt(), status.getExitCode());
        }
    }

    /** The order of /api/commands: the newest first, then by id. */
    private static final Comparator<Command> NEWEST_FIRST = Comparator.comparing(Command::getCreatedAt)
            .reversed().thenComparing(Command::getCommandId);
    /** The same order, of commands as the instances answered them. */
    private static final Comparator<JsonNode> NEWEST_FIRST_JSON = Comparator
            .comparing((JsonNode command) -> Instant.parse(command.path("createdAt").asText())).reversed()
            .thenComparing(command -> command.path("commandId").asText());

    /** An agent as the processor knows it: from its polls (its own job) and the commands addressed to it. */
    public record AgentView(String agent, String status, Instant lastSeenAt, String host, String version,
            List<String> actions, long commandsWaiting, Instant lastCommandAt) {

        /**
         * The same agent as two instances see it: its polls from the one that holds its own job, the commands
         * waiting for it counted on both.
         */
        AgentView with(AgentView other) {
            AgentView polled = other.lastSeenAt == null
                    || (lastSeenAt != null && !lastSeenAt.isBefore(other.lastSeenAt)) ? this : other;
            Instant lastCommand = lastCommandAt == null ? other.lastCommandAt
                    : other.lastCommandAt == null || lastCommandAt.isAfter(other.lastCommandAt) ? lastCommandAt
                    : other.lastCommandAt;
            return new AgentView(agent, polled.status, polled.lastSeenAt, polled.host, polled.version, polled.actions,
                    commandsWaiting + other.commandsWaiting, lastCommand);
        }
    }

    @GET
    @Path("/agents")
    @Operation(summary = "Every host agent: online or offline (no poll within hookline.agents.offline-after), when it "
            + "last polled, its version, the actions its configuration offers, the commands waiting for it")
    public Response agents() {
        try {
            Peers.Gathering elsewhere = peers.gatherLater(TopologyProducer.JOB_STATE_STORE, ChainReactor.COMMANDS,
                    ChainReactor.FAN_IN_COMMANDS);
            ReadOnlyKeyValueStore<String, JobState> jobs = jobs();
            CommandStatuses statuses = new CommandStatuses(jobs, peers);
            // An agent's own job, <agent>/agent, found in the index: only the agents' states are read.
            Map<String, JobState> polls = new TreeMap<>();
            for (JobIndex.Part part : index.parts()) {
                ReadOnlyKeyValueStore<String, JobState> store = null;
                for (Map.Entry<String, JobIndex.Facets> job : part.jobs().entrySet()) {
                    if (!job.getKey().endsWith("/agent") || !"agent".equals(job.getValue().kind())) {
                        continue;
                    }
                    store = store == null ? JobsResource.partitionStore(streams, part.partition()) : store;
                    JobState state = store.get(job.getKey());
                    if (state != null && isAgentJob(state)) {
                        polls.put(state.getSourceName(), state);
                    }
                }
            }
            Map<String, long[]> waiting = new TreeMap<>();
            Map<String, Instant> lastCommand = new TreeMap<>();
            // A command not started by its expiry has expired (the chain reactor says so within seconds): only those
            // that may still be waiting need their job's word.
            Instant mayWait = Instant.now().minus(STILL_WAITING);
            java.util.function.Predicate<Command> mayStillWait = command -> command.getAgent() != null
                    && command.getExpiresAt().isAfter(mayWait);
            readAhead(statuses, mayStillWait);
            issued(streams, command -> {
                if (command.getAgent() == null) {
                    return;
                }
                waiting.computeIfAbsent(command.getAgent(), a -> new long[1]);
                if (mayStillWait.test(command)) {
                    String state = statuses.status(command);
                    waiting.get(command.getAgent())[0] += state.equals("queued") || state.equals("delivered") ? 1 : 0;
                }
                lastCommand.merge(command.getAgent(), command.getCreatedAt(), (a, b) -> a.isAfter(b) ? a : b);
            });
            java.util.SortedSet<String> names = new java.util.TreeSet<>(polls.keySet());
            names.addAll(waiting.keySet());
            Instant now = Instant.now();
            List<AgentView> agents = new ArrayList<>();
            for (String name : names) {
                JobState poll = polls.get(name);
                String status = poll == null ? "never-seen"
                        : poll.getUpdatedAt().plus(offlineAfter).isBefore(now) ? "offline" : "online";
                agents.add(new AgentView(name, status, poll == null ? null : poll.getUpdatedAt(),
                        poll == null ? null : poll.getHost(),
                        poll == null || poll.getAgent() == null ? null : poll.getAgent().getVersion(),
                        poll == null || poll.getAgent() == null ? List.of() : poll.getAgent().getActions(),
                        waiting.getOrDefault(name, new long[1])[0], lastCommand.get(name)));
            }
            // Another instance may hold an agent's own job, or commands for it: each instance's part, merged.
            List<Peers.Answer> answers = elsewhere.answers();
            if (answers.isEmpty()) {
                return Response.ok(agents).build();
            }
            Map<String, AgentView> byName = new TreeMap<>();
            agents.forEach(agent -> byName.put(agent.agent(), agent));
            for (Peers.Answer answer : answers) {
                for (JsonNode node : answer.body()) {
                    AgentView agent = json.treeToValue(node, AgentView.class);
                    byName.merge(agent.agent(), agent, AgentView::with);
                }
            }
            return Response.ok(new ArrayList<>(byName.values())).build();
        } catch (Peers.Unreachable e) {
            return Peers.unreachable(e.getMessage());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return Peers.unreachable("another instance answered /api/agents with what is not an agent: "
                    + e.getOriginalMessage());
        } catch (InvalidStateStoreException | IllegalStateException e) {
            return notReady();
        }
    }

    /**
     * When other instances hold jobs, reads ahead the jobs of the commands {@code needed} picks (one walk of the
     * commands more), so that the walk that reads their statuses finds each answered, asked a few at once.
     */
    private void readAhead(CommandStatuses statuses, java.util.function.Predicate<Command> needed)
            throws Peers.Unreachable {
        if (!statuses.othersHoldJobs()) {
            return;
        }
        Set<String> jobKeys = new java.util.LinkedHashSet<>();
        issued(streams, command -> {
            if (needed.test(command)) {
                jobKeys.add(command.getJobKey());
            }
        });
        statuses.readAhead(jobKeys);
    }

    /** An agent's own job, {@code <agent>/agent}, that its polls are folded into. */
    static boolean isAgentJob(JobState state) {
        return state.getSourceKind() == SourceKind.AGENT && "agent".equals(state.getJob());
    }

    /**
     * Every command the processor's tasks issued and still keep, from the job tasks and the fan-in tasks, one at a
     * time: 30 days of them are not gathered in memory.
     */
    static void issued(KafkaStreams streams, Each each) throws Peers.Unreachable {
        walk(streams.store(commands(ChainReactor.COMMANDS)), each);
        walk(streams.store(commands(ChainReactor.FAN_IN_COMMANDS)), each);
    }

    /**
     * The commands this instance keeps that runs of {@code jobKey} triggered. A chain's (and a prune's) commands are
     * kept in the task that folds their upstream job, so only that job's partition of them is read, not every
     * command of the instance; a fan-in's are kept where the fan-in meets, and all of those are read.
     */
    static void triggeredBy(KafkaStreams streams, JobIndex index, String jobKey, Each each) throws Peers.Unreachable {
        Integer partition = null;
        for (JobIndex.Part part : index.parts()) {
            if (part.jobs().containsKey(jobKey)) {
                partition = part.partition();
            }
        }
        StoreQueryParameters<ReadOnlyKeyValueStore<String, Command>> chained = commands(ChainReactor.COMMANDS);
        Each upstream = command -> {
            if (command.getCause().getUpstream().stream().anyMatch(u -> u.getJobKey().equals(jobKey))) {
                each.accept(command);
            }
        };
        walk(streams.store(partition == null ? chained : chained.withPartition(partition)), upstream);
        walk(streams.store(commands(ChainReactor.FAN_IN_COMMANDS)), upstream);
    }

    /** The commands of the fan-ins (after:) this instance keeps that runs of {@code jobKey} triggered. */
    static void triggeredByFanIns(KafkaStreams streams, String jobKey, Each each) throws Peers.Unreachable {
        walk(streams.store(commands(ChainReactor.FAN_IN_COMMANDS)), command -> {
            if (command.getCause().getUpstream().stream().anyMatch(u -> u.getJobKey().equals(jobKey))) {
                each.accept(command);
            }
        });
    }

    private static StoreQueryParameters<ReadOnlyKeyValueStore<String, Command>> commands(String store) {
        return StoreQueryParameters.fromNameAndType(store, QueryableStoreTypes.keyValueStore());
    }

    private static void walk(ReadOnlyKeyValueStore<String, Command> store, Each each) throws Peers.Unreachable {
        try (KeyValueIterator<String, Command> all = store.all()) {
            while (all.hasNext()) {
                each.accept(all.next().value);
            }
        }
    }

    /** What is done with each command issued; its status may need another instance, which may not answer. */
    @FunctionalInterface
    interface Each {
        void accept(Command command) throws Peers.Unreachable;
    }

    private ReadOnlyKeyValueStore<String, JobState> jobs() {
        return streams.store(StoreQueryParameters.fromNameAndType(TopologyProducer.JOB_STATE_STORE,
                QueryableStoreTypes.keyValueStore()));
    }

    private static Response bad(String message) {
        return Response.status(Response.Status.BAD_REQUEST).entity(Map.of("error", message)).build();
    }

    private Response notReady() {
        return Response.status(Response.Status.SERVICE_UNAVAILABLE).header("Retry-After", "2")
                .entity(Map.of("error", "the processor's state is not available (Kafka Streams is " + streams.state()
                        + "); try again in a few seconds"))
                .build();
    }
}
