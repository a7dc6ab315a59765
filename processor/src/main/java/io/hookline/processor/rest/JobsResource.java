package io.hookline.processor.rest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import io.hookline.processor.prune.PruneLogic;
import io.hookline.processor.prune.PruneReactor;
import io.hookline.processor.react.JobIndex;
import io.hookline.processor.state.JobKeys;
import io.hookline.processor.streams.TopologyProducer;
import io.hookline.runtime.text.Excerpt;
import io.hookline.schema.JobState;

/** Every job's state, read from the Kafka Streams state store. */
@Path("/api/jobs")
@Produces(MediaType.APPLICATION_JSON)
public class JobsResource {

    private final KafkaStreams streams;
    private final io.hookline.processor.rules.RulesFile rules;
    private final JobEvents events;
    private final io.hookline.processor.api.AuditLog audit;
    private final io.quarkus.vertx.http.runtime.CurrentVertxRequest current;
    private final Peers peers;
    private final java.time.ZoneId zone;

    private final JobIndex index;
    private final String eventsTopic;
    private final com.fasterxml.jackson.databind.ObjectMapper json;

    public JobsResource(KafkaStreams streams, io.hookline.processor.rules.RulesFile rules, JobEvents events,
            io.hookline.processor.api.AuditLog audit, io.quarkus.vertx.http.runtime.CurrentVertxRequest current,
            Peers peers, io.hookline.processor.ProcessorConfig config, JobIndex index,
            com.fasterxml.jackson.databind.ObjectMapper json) {
        this.index = index;
        this.json = json;
        this.eventsTopic = new io.hookline.schema.topics.Topics(config.topics().prefix()).events();
        this.zone = java.time.ZoneId.of(config.dashboard().timeZone());
        this.streams = streams;
        this.peers = peers;
        this.rules = rules;
        this.events = events;
        this.audit = audit;
        this.current = current;
    }

    /** A page holds at most this many jobs; the Link header names the next page. */
    static final int MAX_PAGE = 1000;

    @GET
    @Operation(summary = "Jobs sorted by job key, a page at a time: ?limit= (default 500, at most 1000) and ?after=<job key>"
            + " from the Link header's next page; X-Total-Count says how many jobs match. Filters: ?source=, ?kind=,"
            + " ?host=, ?status= (exact) and ?q= (in the key, name or host, any case). ?calendar=N adds each job's last"
            + " N days (days: ok, warning, failed, missed, running, none, unknown) in ?tz= (default"
            + " hookline.dashboard.time-zone)")
    @APIResponse(responseCode = "503", description = "The processor is (re)building its state; try again shortly")
    public Response jobs(@jakarta.ws.rs.QueryParam("limit") String limitText, @jakarta.ws.rs.QueryParam("after") String after,
            @jakarta.ws.rs.QueryParam("source") String source, @jakarta.ws.rs.QueryParam("kind") String kind,
            @jakarta.ws.rs.QueryParam("host") String host, @jakarta.ws.rs.QueryParam("status") String status,
            @jakarta.ws.rs.QueryParam("q") String text, @jakarta.ws.rs.QueryParam("calendar") String calendar,
            @jakarta.ws.rs.QueryParam("tz") String tz) {
        JobQuery.Parsed parsed = JobQuery.parse(source, kind, host, status, text, calendar, tz, zone);
        if (parsed.problem() != null) {
            return Response.status(Response.Status.BAD_REQUEST).entity(Map.of("error", parsed.problem())).build();
        }
        JobQuery query = parsed.query();
        Integer limit = JobQuery.number(limitText);
        if (limitText != null && limit == null) {
            return Response.status(Response.Status.BAD_REQUEST).entity(java.util.Map.of("error",
                    "limit must be a whole number from 1 to " + MAX_PAGE + ", not '" + Excerpt.quoted(limitText) + "'"))
                    .build();
        }
        int size = limit == null ? 500 : limit;
        if (size < 1 || size > MAX_PAGE) {
            return Response.status(Response.Status.BAD_REQUEST).entity(java.util.Map.of("error",
                    "limit must be from 1 to " + MAX_PAGE + ", not " + size)).build();
        }
        if (after != null && after.length() > 2_048) {
            return Response.status(Response.Status.BAD_REQUEST).entity(java.util.Map.of("error",
                    "after is " + after.length() + " characters long; a job key is at most 2048")).build();
        }
        ReadOnlyKeyValueStore<String, JobState> store = store();
        if (store == null) {
            return notReady();
        }
        Peers.Gathering elsewhere = peers.gatherLater(TopologyProducer.JOB_STATE_STORE);
        // The smallest keys after the cursor, never more than a page in memory however many jobs there are.
        java.util.TreeMap<String, JobState> page = new java.util.TreeMap<>(JobKeys.ORDER);
        long total = 0;
        try {
            if (query.filters()) {
                total = filtered(query, after, size + 1, page);
            } else {
                // No filter (the dashboard's first view): the count is kept as jobs change, and each of this
                // instance's partitions is read from the cursor on, a page of it at most.
                total = index.total();
                firstAfter(after, size + 1, page);
            }
        } catch (InvalidStateStoreException | IllegalStateException e) {
            return notReady();
        }
        boolean more = page.size() > size;
        if (more) {
            page.pollLastEntry();
        }
        List<JobView> jobs = new ArrayList<>(page.size());
        java.time.Instant now = java.time.Instant.now();
        var current = rules.current();
        page.values().forEach(state -> {
            JobView view = JobView.of(state, false);
            if (query.calendarDays() > 0) {
                var rule = current.forJob(state.getJobKey());
                view = view.withDays(io.hookline.processor.state.RunCalendar.days(state,
                        rule == null ? null : rule.schedule(), query.zone(), query.calendarDays(), now));
            }
            jobs.add(view);
        });
        List<Peers.Answer> answers;
        try {
            answers = elsewhere.answers();
        } catch (Peers.Unreachable e) {
            return Peers.unreachable(e.getMessage());
        }
        Object body = jobs;
        String last = page.isEmpty() ? null : page.lastKey();
        if (!answers.isEmpty()) {
            Peers.Page merged = peers.merge(jobs, total, more, answers, size,
                    java.util.Comparator.comparing(job -> job.path("jobKey").asText(), JobKeys.ORDER));
            total = merged.total();
            more = merged.more();
            last = merged.items().isEmpty() ? null : merged.items().get(merged.items().size() - 1).path("jobKey").asText();
            body = merged.items();
        }
        Response.ResponseBuilder response = Response.ok(body).header("X-Total-Count", total);
        if (more && last != null) {
            response.header("Link", "</api/jobs?" + nextQuery(size, last) + ">; rel=\"next\"");
        }
        return response.build();
    }

    /** The current request's query, with the page's size and the cursor after its last job. */
    private String nextQuery(int size, String last) {
        StringBuilder next = new StringBuilder("limit=").append(size).append("&after=")
                .append(java.net.URLEncoder.encode(last, java.nio.charset.StandardCharsets.UTF_8));
        var request = current.getCurrent() == null ? null : current.getCurrent().request();
        if (request != null) {
            for (String name : List.of("source", "kind", "host", "status", "q", "calendar", "tz")) {
                String value = request.getParam(name);
                if (value != null) {
                    next.append('&').append(name).append('=')
                            .append(java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8));
                }
            }
        }
        return next.toString();
    }

    @GET
    @Path("summary")
    @Operation(summary = "How many jobs there are by status, source, kind and host: rows of {field, value, count}, "
            + "what the dashboard's counts and filters show")
    @APIResponse(responseCode = "503", description = "The processor is (re)building its state; try again shortly")
    public Response summary() {
        ReadOnlyKeyValueStore<String, JobState> store = store();
        if (store == null) {
            return notReady();
        }
        Peers.Gathering elsewhere = peers.gatherLater(TopologyProducer.JOB_STATE_STORE);
        // Kept as jobs change (JobIndex), not counted here from every job's state.
        Map<List<String>, Long> counts = index.counts();
        List<Peers.Answer> answers;
        try {
            answers = elsewhere.answers();
        } catch (Peers.Unreachable e) {
            return Peers.unreachable(e.getMessage());
        }
        for (Peers.Answer answer : answers) {
            answer.body().forEach(row -> counts.merge(List.of(row.path("field").asText(), row.path("value").asText()),
                    row.path("count").asLong(), Long::sum));
        }
        List<Map<String, Object>> rows = new ArrayList<>(counts.size());
        counts.forEach((key, count) -> rows.add(Map.of("field", key.get(0), "value", key.get(1), "count", count)));
        return Response.ok(rows).build();
    }

    @GET
    @Path("{key: .+}")
    @Operation(summary = "One job with its recent runs, the chained commands addressed to it (commands) and those its "
            + "runs triggered (triggered); the key is source/job or source/host/job. ?only=commands: the commands "
            + "addressed to it alone (its newest 20), as another instance asks for them; ?only=triggered: the commands "
            + "this instance's fan-ins (after:) issued for its runs, without their status, likewise")
    @APIResponse(responseCode = "404", description = "No event has been seen for this job key")
    public Response job(@PathParam("key") String key, @jakarta.ws.rs.QueryParam("calendar") String calendar,
            @jakarta.ws.rs.QueryParam("tz") String tz, @jakarta.ws.rs.QueryParam("only") String only) {
        JobQuery.Parsed parsed = JobQuery.parse(null, null, null, null, null, calendar, tz, zone);
        String problem = parsed.problem() != null ? parsed.problem()
                : only == null || only.equals("commands") || only.equals("triggered") ? null
                : "only must be 'commands' or 'triggered', not '" + Excerpt.quoted(only) + "'";
        if (problem != null) {
            return Response.status(Response.Status.BAD_REQUEST).entity(Map.of("error", problem)).build();
        }
        if ("triggered".equals(only)) {
            // Asked by the instance that holds the job, which reads where each stands: kept here, the job may not be.
            try {
                List<CommandView> kept = new ArrayList<>();
                CommandsResource.triggeredByFanIns(streams, key, command -> kept.add(CommandView.kept(command)));
                // The newest of them, as many as a page shows: the asker merges every instance's newest.
                kept.sort(NEWEST_FIRST);
                return Response.ok(kept.subList(0, Math.min(TRIGGERED, kept.size()))).build();
            } catch (Peers.Unreachable | InvalidStateStoreException | IllegalStateException e) {
                return notReady();
            }
        }
        Found found = find(key);
        if (found.answer() != null) {
            return found.answer();
        }
        JobState state = found.state();
        if (only != null) {
            return Response.ok(state.getCommands().stream().map(JobView.CommandLink::of).toList()).build();
        }
        ReadOnlyKeyValueStore<String, JobState> store = found.store();
        JobView view = JobView.of(state, true);
        var rule = rules.current().forJob(key);
        var schedule = rule == null ? null : rule.schedule();
        if (parsed.query().calendarDays() > 0) {
            view = view.withDays(io.hookline.processor.state.RunCalendar.days(state, schedule, parsed.query().zone(),
                    parsed.query().calendarDays(), java.time.Instant.now()));
        }
        view = view.withDetail(rule == null ? null : new JobView.ScheduleView(rule.pattern(),
                schedule == null ? null : schedule.describe(),
                io.hookline.processor.state.RunCalendar.nextExpected(state, schedule),
                schedule == null ? null : io.hookline.processor.state.RunCalendar.nextExpected(state, schedule)
                        .plus(schedule.grace()),
                rule.maxDuration() == null ? null : io.hookline.processor.rules.Rules.formatDuration(rule.maxDuration()),
                rule.failures() + " failed of " + rule.outOf() + " runs", rule.anomaly()),
                JobQuery.series(state));
        try {
            List<io.hookline.schema.Command> mine = new ArrayList<>();
            CommandsResource.triggeredBy(streams, index, key, mine::add);
            mine.sort(java.util.Comparator.comparing(io.hookline.schema.Command::getCreatedAt).reversed());
            CommandStatuses statuses = new CommandStatuses(store, peers);
            List<CommandView> triggered = new ArrayList<>();
            List<io.hookline.schema.Command> newest = mine.subList(0, Math.min(TRIGGERED, mine.size()));
            statuses.readAhead(newest.stream().map(io.hookline.schema.Command::getJobKey).toList());
            for (io.hookline.schema.Command command : newest) {
                triggered.add(statuses.view(command));
            }
            triggered.addAll(triggeredByFanInsElsewhere(key, statuses));
            if (!triggered.isEmpty()) {
                // Once each, should a fan-in's task be moving from one instance to another as they were asked.
                Map<String, CommandView> once = new java.util.LinkedHashMap<>();
                triggered.forEach(command -> once.putIfAbsent(command.commandId(), command));
                triggered = new ArrayList<>(once.values());
                triggered.sort(NEWEST_FIRST);
                view = view.withTriggered(triggered.subList(0, Math.min(TRIGGERED, triggered.size())));
            }
        } catch (Peers.Unreachable e) {
            return Peers.unreachable(e.getMessage());
        } catch (InvalidStateStoreException | IllegalStateException e) {
            // The job's own state is shown; what it triggered is in /api/commands?job= once the stores are back.
        }
        return Response.ok(view).build();
    }

    /** A job page lists at most this many of the commands its runs triggered, the newest. */
    static final int TRIGGERED = 50;
    private static final java.util.Comparator<CommandView> NEWEST_FIRST = java.util.Comparator
            .comparing(CommandView::createdAt).reversed().thenComparing(CommandView::commandId);

    /**
     * The commands of fan-ins (after:) that runs of {@code key} triggered, kept by other instances (a fan-in's are kept
     * where it meets, which any instance may hold), with where each stands. Asked only when a fan-in rule names the
     * job, so that the page of a job no fan-in waits for needs no other instance.
     */
    private List<CommandView> triggeredByFanInsElsewhere(String key, CommandStatuses statuses) throws Peers.Unreachable {
        boolean awaitedByFanIn = rules.current().chains().stream().filter(io.hookline.processor.rules.Chain::fanIn)
                .anyMatch(chain -> chain.upstream().stream().anyMatch(upstream -> upstream.matches(key)));
        List<org.apache.kafka.streams.state.HostInfo> holders = awaitedByFanIn
                ? peers.holdersElsewhere(io.hookline.processor.chains.ChainReactor.FAN_IN_COMMANDS) : List.of();
        if (holders.isEmpty()) {
            return List.of();
        }
        List<CommandView> kept = new ArrayList<>();
        for (Peers.Answer answer : peers.askEach(holders, "/api/jobs/" + CommandStatuses.path(key) + "?only=triggered")) {
            for (com.fasterxml.jackson.databind.JsonNode node : answer.body()) {
                kept.add(keptElsewhere(json, node, String.valueOf(answer.from()), key));
            }
        }
        statuses.readAhead(kept.stream().map(CommandView::jobKey).toList());
        List<CommandView> elsewhere = new ArrayList<>(kept.size());
        for (CommandView command : kept) {
            elsewhere.add(statuses.view(command));
        }
        return elsewhere;
    }

    /**
     * One command as another instance answered ?only=triggered: a command with its id, job and time (what the page
     * sorts by and reads its status with), or {@link Peers.Unreachable} naming what was wrong, so that an instance
     * of another version makes the page a 503 that says why, not a 500.
     */
    static CommandView keptElsewhere(com.fasterxml.jackson.databind.ObjectMapper json,
            com.fasterxml.jackson.databind.JsonNode node, String from, String key) throws Peers.Unreachable {
        CommandView kept;
        try {
            kept = json.treeToValue(node, CommandView.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
            throw new Peers.Unreachable("instance " + from + " answered the commands " + key
                    + " triggered with what is not a command: " + e.getMessage().lines().findFirst().orElse(""));
        }
        List<String> missing = new ArrayList<>();
        if (kept == null || kept.commandId() == null) {
            missing.add("commandId");
        }
        if (kept == null || kept.jobKey() == null) {
            missing.add("jobKey");
        }
        if (kept == null || kept.createdAt() == null) {
            missing.add("createdAt");
        }
        if (!missing.isEmpty()) {
            throw new Peers.Unreachable("instance " + from + " answered a command " + key + " triggered without "
                    + String.join(", ", missing));
        }
        return kept;
    }

    @GET
    @Path("{key: .+}/retention")
    @Operation(summary = "A job's restore points under its retention policy: keep or prune each, and why (for a pruned "
            + "one, what would keep it were it newer), the policy in force, the prunes pending")
    @APIResponse(responseCode = "404", description = "No event has been seen for this job key")
    public Response retention(@PathParam("key") String key) {
        Found found = find(key);
        if (found.answer() != null) {
            return found.answer();
        }
        JobState state = found.state();
        var rule = rules.current().retentionFor(key).orElse(null);
        Map<String, Object> view = new java.util.LinkedHashMap<>();
        view.put("jobKey", key);
        view.put("policy", rule == null ? null : RetentionView.of(rule));
        view.put("restorePoints", io.hookline.processor.retention.Retention.decide(rule == null ? null : rule.policy(),
                rule == null ? 0 : rule.keepAtLeast(), state.getRestorePoints(),
                java.time.Instant.now()));
        view.put("restorePointsDropped", state.getRestorePointsDropped());
        view.put("pendingPrunes", pendingPrunes(key));
        return Response.ok(view).build();
    }

    /** The prunes of a job under way or waiting to be tried again, from the task that owns the job. */
    private List<Map<String, Object>> pendingPrunes(String key) {
        ReadOnlyKeyValueStore<String, byte[]> store;
        try {
            store = streams.store(StoreQueryParameters.fromNameAndType(PruneReactor.PENDING,
                    QueryableStoreTypes.<String, byte[]>keyValueStore()));
        } catch (InvalidStateStoreException | IllegalStateException e) {
            return List.of();
        }
        List<Map<String, Object>> pending = new ArrayList<>();
        for (PruneLogic.Pending one : PruneReactor.pendingOf(store, key)) {
            Map<String, Object> view = new java.util.LinkedHashMap<>();
            view.put("restorePoint", one.pointId());
            view.put("status", one.status().toLowerCase(java.util.Locale.ROOT));
            view.put("commandId", one.commandId());
            view.put("attempt", one.attempt());
            view.put("via", one.via());
            view.put("since", java.time.Instant.ofEpochMilli(one.since()).toString());
            view.put("retryAt", one.retryAt() == null ? null : java.time.Instant.ofEpochMilli(one.retryAt()).toString());
            view.put("error", one.error());
            pending.add(view);
        }
        return pending;
    }

    @POST
    @Path("{key: .+}/restore-points/{id: .+}/pin")
    @Operation(summary = "Pins a restore point: retention keeps it forever (operate role; audited)")
    public Response pin(@PathParam("key") String key, @PathParam("id") String id) throws Exception {
        return setPin(key, id, true);
    }

    @DELETE
    @Path("{key: .+}/restore-points/{id: .+}/pin")
    @Operation(summary = "Unpins a restore point: its job's policy decides it again (operate role; audited)")
    public Response unpin(@PathParam("key") String key, @PathParam("id") String id) throws Exception {
        return setPin(key, id, false);
    }

    private Response setPin(String key, String id, boolean pinned) throws Exception {
        Found found = find(key);
        if (found.answer() != null) {
            return found.answer();
        }
        JobState state = found.state();
        var point = state.getRestorePoints().stream().filter(p -> p.getId().equals(id)).findFirst();
        if (point.isEmpty()) {
            return Response.status(Response.Status.NOT_FOUND).entity(Map.of("error", "job " + key + " has no restore "
                    + "point '" + Excerpt.of(id, 201) + "'")).build();
        }
        java.time.Instant now = java.time.Instant.now();
        io.hookline.schema.BackupEvent event = io.hookline.schema.BackupEvent.newBuilder()
                .setEventId(java.util.UUID.randomUUID().toString())
                .setReceivedAt(now)
                .setSourceKind(state.getSourceKind())
                .setSourceName(state.getSourceName())
                .setHost(state.getHost())
                .setJob(state.getJob())
                .setJobKey(key)
                .setType(pinned ? io.hookline.schema.EventType.RESTORE_POINT_PINNED
                        : io.hookline.schema.EventType.RESTORE_POINT_UNPINNED)
                .setRestorePoint(io.hookline.schema.serde.Records.deepCopy(point.get()))
                .build();
        try {
            events.append(event).get(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return Response.status(Response.Status.SERVICE_UNAVAILABLE).header("Retry-After", "10")
                    .entity(Map.of("error", "the pin was not recorded: the event log (Kafka) did not confirm it; try "
                            + "again")).build();
        }
        audit.record(current.getCurrent(), pinned ? "restore-point.pin" : "restore-point.unpin", key + " " + id,
                Map.of(), 200);
        return Response.ok(Map.of("jobKey", key, "id", id, "pinned", pinned)).build();
    }

    /** A job's state and the store it came from, or the answer to give instead (not ready, 404). */
    private record Found(JobState state, ReadOnlyKeyValueStore<String, JobState> store, Response answer) {
    }

    /** Here, or the owner's answer when another instance holds the job (the request goes on to it as it came). */
    private Found find(String key) {
        var owner = peers.ownerOf(TopologyProducer.JOB_STATE_STORE, key);
        if (owner.isPresent()) {
            return new Found(null, null, peers.forward(owner.get()));
        }
        ReadOnlyKeyValueStore<String, JobState> store = store();
        if (store == null) {
            return new Found(null, null, notReady());
        }
        JobState state;
        try {
            state = store.get(key);
        } catch (InvalidStateStoreException e) {
            return new Found(null, null, notReady());
        }
        if (state == null) {
            return new Found(null, store, Response.status(Response.Status.NOT_FOUND)
                    .entity(Map.of("error", "no job with key '" + key + "' has sent an event")).build());
        }
        return new Found(state, store, null);
    }

    /**
     * The jobs of this instance the query matches, from the index (no job's state is read for it); the first
     * {@code count} of them after {@code after}, in key order, go into {@code page} with their state. Answers how many
     * match in all.
     */
    private long filtered(JobQuery query, String after, int count, java.util.TreeMap<String, JobState> page) {
        java.util.TreeMap<String, Integer> keys = new java.util.TreeMap<>(JobKeys.ORDER);
        long total = 0;
        for (JobIndex.Part part : index.parts()) {
            // Most jobs share their facets with many others: each combination is compared once.
            Map<JobIndex.Facets, Boolean> passes = new java.util.IdentityHashMap<>();
            for (Map.Entry<String, JobIndex.Facets> job : part.jobs().entrySet()) {
                String key = job.getKey();
                if (!passes.computeIfAbsent(job.getValue(), query::matches)) {
                    continue;
                }
                String name = part.nameOf(key);
                if (name == JobIndex.LONG_NAME && !query.finds(key, job.getValue(), null)) {
                    // A name too long to keep in memory: looked for in the job's state.
                    JobState state = partitionStore(part.partition()).get(key);
                    if (state == null || !query.matches(state)) {
                        continue;
                    }
                } else if (!query.finds(key, job.getValue(), name)) {
                    continue;
                }
                total++;
                if (after != null && JobKeys.ORDER.compare(key, after) <= 0) {
                    continue;
                }
                if (keys.size() < count || JobKeys.ORDER.compare(key, keys.lastKey()) < 0) {
                    keys.put(key, part.partition());
                    if (keys.size() > count) {
                        keys.pollLastEntry();
                    }
                }
            }
        }
        keys.forEach((key, partition) -> {
            JobState state = partitionStore(partition).get(key);
            // Gone or changed since the index was read: left out of this page, as it would be a moment later.
            if (state != null && query.matches(state)) {
                page.put(key, state);
            }
        });
        return total;
    }

    private ReadOnlyKeyValueStore<String, JobState> partitionStore(int partition) {
        return partitionStore(streams, partition);
    }

    /** The job states of one partition this instance holds. */
    static ReadOnlyKeyValueStore<String, JobState> partitionStore(KafkaStreams streams, int partition) {
        return streams.store(StoreQueryParameters.fromNameAndType(TopologyProducer.JOB_STATE_STORE,
                QueryableStoreTypes.<String, JobState>keyValueStore()).withPartition(partition));
    }

    /**
     * Puts into {@code page} the first {@code count} jobs after {@code after} (all, when null) of this instance, in
     * key order: from each of its partitions' stores, which keep their keys in that order, at most {@code count}.
     */
    private void firstAfter(String after, int count, java.util.TreeMap<String, JobState> page) {
        for (var thread : streams.metadataForLocalThreads()) {
            for (var task : thread.activeTasks()) {
                for (var partition : task.topicPartitions()) {
                    if (!partition.topic().equals(eventsTopic)) {
                        continue;
                    }
                    ReadOnlyKeyValueStore<String, JobState> store = partitionStore(partition.partition());
                    int taken = 0;
                    try (KeyValueIterator<String, JobState> keys = after == null ? store.all() : store.range(after, null)) {
                        while (keys.hasNext() && taken < count) {
                            var entry = keys.next();
                            if (after != null && JobKeys.ORDER.compare(entry.key, after) <= 0) {
                                continue;
                            }
                            page.put(entry.key, entry.value);
                            taken++;
                        }
                    }
                }
            }
        }
        while (page.size() > count) {
            page.pollLastEntry();
        }
    }

    private ReadOnlyKeyValueStore<String, JobState> store() {
        try {
            return streams.store(StoreQueryParameters.fromNameAndType(TopologyProducer.JOB_STATE_STORE,
                    QueryableStoreTypes.keyValueStore()));
        } catch (InvalidStateStoreException | IllegalStateException e) {
            return null;
        }
    }

    private Response notReady() {
        return Response.status(Response.Status.SERVICE_UNAVAILABLE).header("Retry-After", "2")
                .entity(Map.of("error", "the processor's job state is not available (Kafka Streams is "
                        + streams.state() + "); try again in a few seconds, and see /q/health if it lasts"))
                .build();
    }
}
