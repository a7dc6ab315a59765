package io.hookline.gateway.agent;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;

import io.hookline.gateway.GatewayConfig;
import io.hookline.gateway.envelope.EventIds;
import io.hookline.gateway.hook.FormBody;
import io.hookline.gateway.hook.HookGate;
import io.hookline.gateway.hook.HookIntake;
import io.hookline.gateway.hook.HookRequest;
import io.hookline.gateway.hook.Rejection;
import io.hookline.gateway.kafka.EventLog;
import io.hookline.gateway.source.Source;
import io.hookline.schema.Command;
import io.hookline.schema.SourceKind;

/**
 * What a host agent calls, authenticated with its own token ({@code Authorization: Bearer}, a source of kind
 * {@code agent}): a long poll for its commands, then for each one that it started, finished or refused it. The
 * agent connects out; nothing here ever reaches into a host.
 */
@Path("/agent/v1")
public class AgentResource {

    private static final Logger LOG = Logger.getLogger(AgentResource.class);
    private static final String TEXT = MediaType.TEXT_PLAIN + ";charset=UTF-8";
    static final String VERSION_HEADER = "hookline-agent-version";
    static final String ACTIONS_HEADER = "hookline-agent-actions";
    static final String HOST_HEADER = "hookline-agent-host";

    private final HookGate gate;
    private final HookIntake intake;
    private final CommandBoard board;
    private final EventLog log;
    private final GatewayConfig.Agents settings;
    /** When each agent's poll was last recorded, and what it said then. */
    private final Map<String, Seen> seen = new ConcurrentHashMap<>();

    record Seen(String version, List<String> actions, Instant at) {
    }

    public AgentResource(HookGate gate, HookIntake intake, CommandBoard board, EventLog log, GatewayConfig config) {
        this.gate = gate;
        this.intake = intake;
        this.board = board;
        this.log = log;
        this.settings = config.agents();
    }

    @GET
    @Path("/commands")
    @Produces(MediaType.TEXT_PLAIN)
    @Operation(summary = "An agent's long poll: its deliverable commands, or 204 when none came within ?wait= seconds")
    public Uni<Response> poll(@QueryParam("wait") String waitText, @Context HttpServerRequest http) {
        HookRequest request = HookRequest.of(http, null, null);
        HookGate.Admission admission = gate.admit(SourceKind.AGENT, null, request);
        if (!admission.admitted()) {
            return Uni.createFrom().completionStage(admission.refusal());
        }
        Source agent = admission.source();
        long maxWait = settings.maxWait().toSeconds();
        long wait;
        try {
            wait = waitText == null || waitText.isBlank() ? Math.min(30, maxWait) : Long.parseLong(waitText.strip());
        } catch (NumberFormatException e) {
            wait = -1;
        }
        if (wait < 0 || wait > maxWait) {
            return Uni.createFrom().completionStage(gate.refuse(agent, Rejection.badRequest("bad-wait",
                    "wait is whole seconds from 0 to " + maxWait + ", not '" + waitText + "'"), request));
        }
        recordSeen(agent, request);
        Duration waitFor = Duration.ofSeconds(wait);
        // Still a Uni, as before hooks were answered with CompletionStages: a long poll is not on a hook's path.
        return Uni.createFrom().completionStage(() -> board.poll(agent.name(), waitFor, settings.maxCommandsPerPoll()))
                .chain(commands -> commands.isEmpty() ? Uni.createFrom().item(Response.noContent().build())
                        : Uni.createFrom().completionStage(() -> deliver(commands)))
                .onFailure(AgentResource::unavailable).recoverWithItem(AgentResource::recordsUnavailable);
    }

    private static boolean unavailable(Throwable error) {
        return error instanceof CommandRecords.Unavailable
                || error instanceof CompletionException && error.getCause() instanceof CommandRecords.Unavailable;
    }

    /** A command's record had to be read again from hookline.commands, which did not answer: try again later. */
    private static Response recordsUnavailable(Throwable error) {
        String reason = (error instanceof CompletionException ? error.getCause() : error).getMessage();
        LOG.warnf("an agent's commands could not be read: %s", reason);
        return Response.status(Response.Status.SERVICE_UNAVAILABLE)
                .entity("hookline: commands could not be read from the event log (" + reason + "); try again later")
                .type(TEXT).header("Retry-After", "10").build();
    }

    /** Records every command as delivered (acknowledged by the broker), then hands them to the agent. */
    private CompletionStage<Response> deliver(List<Command> commands) {
        Instant now = Instant.now();
        CompletableFuture<?>[] appended = commands.stream()
                .map(command -> log.append(AgentReports.delivered(command, now))).toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(appended).handle((done, error) -> error == null
                ? Response.ok(AgentReports.answer(commands), TEXT).build()
                : Response.status(Response.Status.SERVICE_UNAVAILABLE)
                        .entity("hookline: commands are waiting but their delivery could not be recorded (the event "
                                + "log did not confirm it); poll again later")
                        .type(TEXT).header("Retry-After", "10").build());
    }

    /** The agent's first poll, a change of what it offers, or the first after a heartbeat interval: AGENT_SEEN. */
    private void recordSeen(Source agent, HookRequest request) {
        String version = cap(AgentReports.oneLine(request.header(VERSION_HEADER)), 64);
        List<String> actions = actions(request.header(ACTIONS_HEADER));
        Instant now = Instant.now();
        Seen last = seen.get(agent.name());
        if (last != null && last.version().equals(version) && last.actions().equals(actions)
                && last.at().plus(settings.heartbeatInterval()).isAfter(now)) {
            return;
        }
        seen.put(agent.name(), new Seen(version, actions, now));
        log.append(AgentReports.seen(agent, version.isEmpty() ? null : version, actions, board.pending(agent.name()),
                host(request), now, EventIds.random())).whenComplete((metadata, error) -> {
                    if (error != null) {
                        seen.remove(agent.name());
                        LOG.warnf("agent %s polled, but its heartbeat could not be recorded: %s", agent.name(),
                                error.getMessage());
                    }
                });
    }

    @POST
    @Path("/commands/{id}/handled")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.TEXT_PLAIN)
    @Operation(summary = "The agent got a command again that it reported on (or refused, or did not start) before: a "
            + "gateway that restarted delivers again every command not reported to it. It is not delivered again; "
            + "nothing is written")
    public CompletionStage<Response> handled(@PathParam("id") String id, String body, @Context HttpServerRequest http) {
        return report(id, body, http, (agent, command, request, form) -> {
            board.reported(command);
            return java.util.concurrent.CompletableFuture.completedFuture(Response.ok("OK").build());
        });
    }

    static List<String> actions(String header) {
        if (header == null || header.isBlank()) {
            return List.of();
        }
        return Arrays.stream(header.split(",")).map(String::strip)
                .filter(name -> AgentReports.ACTION.matcher(name).matches()).distinct().sorted().limit(100).toList();
    }

    @POST
    @Path("/commands/{id}/started")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.TEXT_PLAIN)
    @Operation(summary = "The agent starts a command: 200 to go ahead, 409 when it must not run (expired)")
    public CompletionStage<Response> started(@PathParam("id") String id, String body, @Context HttpServerRequest http) {
        return report(id, body, http, (agent, command, request, form) -> {
            if (!command.getExpiresAt().isAfter(Instant.now())) {
                return gate.refuse(agent, new Rejection(409, "command-expired", "command " + id + " expired at "
                        + command.getExpiresAt() + ": do not run it"), request);
            }
            board.reported(command);
            return intake.accept(agent, AgentReports.started(command, host(request), Instant.now()), "OK");
        });
    }

    @POST
    @Path("/commands/{id}/finished")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.TEXT_PLAIN)
    @Operation(summary = "The end of a command: exit=<code>&duration-ms=<ms>&output=<last lines>, or interrupted=true")
    public CompletionStage<Response> finished(@PathParam("id") String id, String body, @Context HttpServerRequest http) {
        return report(id, body, http, (agent, command, request, form) -> {
            boolean interrupted = "true".equals(form.get("interrupted"));
            Integer exit = integer(form.get("exit"));
            Long duration = form.get("duration-ms") == null ? null : longValue(form.get("duration-ms"));
            if (!interrupted && (exit == null || exit < 0 || exit > 255)) {
                return gate.refuse(agent, Rejection.badRequest("bad-exit-code", "exit must be the action's exit code "
                        + "(0 to 255), not '" + form.get("exit") + "'"), request);
            }
            if (form.get("duration-ms") != null && (duration == null || duration < 0)) {
                return gate.refuse(agent, Rejection.badRequest("bad-duration", "duration-ms must be milliseconds, not '"
                        + form.get("duration-ms") + "'"), request);
            }
            board.reported(command);
            return intake.accept(agent, AgentReports.finished(command, host(request), interrupted ? 0 : exit,
                    interrupted, duration, form.get("output"), settings.outputChars(), Instant.now()), "OK");
        });
    }

    @POST
    @Path("/commands/{id}/refused")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.TEXT_PLAIN)
    @Operation(summary = "The agent will not run a command (reason=...): an action its configuration does not list")
    public CompletionStage<Response> refused(@PathParam("id") String id, String body, @Context HttpServerRequest http) {
        return report(id, body, http, (agent, command, request, form) -> {
            board.reported(command);
            return intake.accept(agent, AgentReports.refused(command, host(request), form.get("reason"), Instant.now()),
                    "OK");
        });
    }

    @FunctionalInterface
    interface Report {
        CompletionStage<Response> handle(Source agent, Command command, HookRequest request, Map<String, String> form);
    }

    /** Authenticates the agent and finds the command it reports on, which must be addressed to it. */
    private CompletionStage<Response> report(String id, String body, HttpServerRequest http, Report report) {
        HookRequest request = HookRequest.of(http, null, body);
        HookGate.Admission admission = gate.admit(SourceKind.AGENT, null, request);
        if (!admission.admitted()) {
            return admission.refusal();
        }
        Source agent = admission.source();
        if (!AgentReports.COMMAND_ID.matcher(id).matches()) {
            return gate.refuse(agent, Rejection.badRequest("bad-command-id", "'" + AgentReports.oneLine(id)
                    + "' is not a command id (cmd_ and 32 hex digits)"), request);
        }
        // Only the look-up's failure is answered here; what the report itself does fails as it always did.
        return board.find(id).handle((command, error) -> error == null
                ? report(id, body, agent, command, request, report)
                : unavailable(error) ? CompletableFuture.completedFuture(recordsUnavailable(error))
                        : CompletableFuture.<Response>failedFuture(error))
                .thenCompose(answer -> answer);
    }

    private CompletionStage<Response> report(String id, String body, Source agent, Optional<Command> command,
            HookRequest request, Report report) {
        if (command.isEmpty()) {
            return gate.refuse(agent, new Rejection(404, "unknown-command", "no command " + id + " is known here: it "
                    + "was never sent, or it expired more than a day ago"), request);
        }
        if (!agent.name().equals(command.get().getAgent())) {
            return gate.refuse(agent, new Rejection(403, "not-your-command", "command " + id + " is for agent "
                    + command.get().getAgent() + ", not " + agent.name()), request);
        }
        FormBody parsed = FormBody.parse(body);
        Map<String, String> form = new java.util.HashMap<>();
        for (String key : List.of("exit", "duration-ms", "output", "interrupted", "reason")) {
            if (parsed.first(key) != null) {
                form.put(key, parsed.first(key));
            }
        }
        return report.handle(agent, command.get(), request, form);
    }

    private static String host(HookRequest request) {
        String host = request.header(HOST_HEADER);
        return host == null || host.isBlank() ? null : cap(AgentReports.oneLine(host).strip(), 255);
    }

    /** What an agent says of itself is kept in its job's state: never more than a short line. */
    static String cap(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max);
    }

    private static Integer integer(String text) {
        try {
            return text == null ? null : Integer.valueOf(text.strip());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Long longValue(String text) {
        try {
            return Long.valueOf(text.strip());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
