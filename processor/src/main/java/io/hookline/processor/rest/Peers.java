package io.hookline.processor.rest;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.state.HostInfo;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.vertx.core.http.HttpServerRequest;

/**
 * The other processor instances, for an API that answers the same from any of them: a job lives in the state store
 * of the instance whose task owns its partition (Kafka Streams' interactive queries say which, from each
 * instance's {@code application.server}, {@code hookline.instance-address}); a request about one job is sent on to
 * its owner, and a list is gathered from every instance and merged. A request a peer sends carries
 * {@value #LOCAL_HEADER} and is answered from that instance's own stores only; what such an answer needs of one job
 * another instance holds (where a chained command stands) it asks of that one, likewise answered from its own
 * stores, so a request makes two hops at most.
 * The caller's own credentials travel with it (a bearer token, or the dashboard's signed cookie, which every
 * instance accepts).
 *
 * <p>Without {@code hookline.instance-address} (one instance, as {@code ./hookline up} runs it), everything is
 * answered locally.
 */
@ApplicationScoped
public class Peers {

    public static final String LOCAL_HEADER = "X-Hookline-Local";
    static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final List<String> FORWARDED = List.of("Authorization", "Cookie", "X-CSRF-Token", "Accept");
    private static final List<String> ANSWERED = List.of("Content-Type", "Link", "X-Total-Count", "Retry-After");
    private static final Logger LOG = Logger.getLogger(Peers.class);

    private final KafkaStreams streams;
    private final CurrentVertxRequest current;
    private final ObjectMapper json;
    private final HostInfo self;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    public Peers(KafkaStreams streams, CurrentVertxRequest current, ObjectMapper json,
            @ConfigProperty(name = "quarkus.kafka-streams.application-server") Optional<String> address) {
        this.streams = streams;
        this.current = current;
        this.json = json;
        this.self = address.filter(a -> !a.isBlank()).map(HostInfo::buildFromEndpoint).orElse(null);
    }

    /** An answer of another instance: its status, its body as JSON (null when it was not JSON), its headers. */
    public record Answer(HostInfo from, int status, JsonNode body, Map<String, String> headers) {
    }

    /** Thrown when an instance that holds part of the answer did not give it: the answer would be incomplete. */
    public static final class Unreachable extends Exception {
        Unreachable(String message) {
            super(message);
        }
    }

    /** True for a request another instance sent: answer it from this instance's stores. */
    public boolean localOnly() {
        HttpServerRequest request = request();
        return self == null || request == null || request.getHeader(LOCAL_HEADER) != null;
    }

    /** The instance that owns {@code key} in {@code store}, if it is another one (and the request may go on). */
    public Optional<HostInfo> ownerOf(String store, String key) {
        return localOnly() ? Optional.empty() : holderOf(store, key);
    }

    /**
     * The instance that holds {@code key} in {@code store}, if it is another one, whoever sent this request: for what
     * an answer needs from one job another instance holds (where a chained command addressed to it stands).
     */
    public Optional<HostInfo> holderOf(String store, String key) {
        if (self == null) {
            return Optional.empty();
        }
        KeyQueryMetadata metadata;
        try {
            metadata = streams.queryMetadataForKey(store, key, Serdes.String().serializer());
        } catch (RuntimeException e) {
            return Optional.empty();
        }
        if (metadata == null || metadata.equals(KeyQueryMetadata.NOT_AVAILABLE)
                || metadata.activeHost().equals(self) || metadata.activeHost().port() <= 0) {
            return Optional.empty();
        }
        return Optional.of(metadata.activeHost());
    }

    /** A GET of {@code uri} on {@code host}, answered from its own stores, with this request's credentials. */
    public Answer ask(HostInfo host, String uri) throws Unreachable {
        return await(host, send(host, "GET", uri));
    }

    /**
     * The same GET, sent now and answered later through {@link #await}: for many asks of one answer, some on their way
     * at once. Sent from the request's own thread, as it forwards the request's credentials.
     */
    CompletableFuture<Answer> askLater(HostInfo host, String uri) {
        return send(host, "GET", uri);
    }

    /** What {@code call} answered, within {@link #TIMEOUT}; {@link Unreachable} naming {@code host} when it did not. */
    static Answer await(HostInfo host, CompletableFuture<Answer> call) throws Unreachable {
        try {
            return call.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unreachable("interrupted while asking " + host);
        } catch (ExecutionException | TimeoutException e) {
            throw new Unreachable("instance " + host + " did not answer within " + TIMEOUT.toSeconds() + " s: "
                    + describe(e));
        }
    }

    /** The other instances that hold part of one of {@code stores}; none when this request is answered locally. */
    public List<HostInfo> others(String... stores) {
        return localOnly() ? List.of() : holdersElsewhere(stores);
    }

    /**
     * The other instances that hold part of one of {@code stores}, whoever sent this request: for what one job's answer
     * needs of stores every instance holds a part of (the commands of fan-ins, kept where each one met).
     */
    public List<HostInfo> holdersElsewhere(String... stores) {
        if (self == null) {
            return List.of();
        }
        List<HostInfo> hosts = new ArrayList<>();
        for (String store : stores) {
            for (StreamsMetadata metadata : streams.streamsMetadataForStore(store)) {
                HostInfo host = metadata.hostInfo();
                if (!host.equals(self) && host.port() > 0 && !hosts.contains(host)) {
                    hosts.add(host);
                }
            }
        }
        return hosts;
    }

    /** The current request, sent on to {@code owner} as it came: its answer is the answer. */
    public Response forward(HostInfo owner) {
        HttpServerRequest request = request();
        try {
            Answer answer = send(owner, request.method().name(), request.uri()).get(TIMEOUT.toMillis(),
                    TimeUnit.MILLISECONDS);
            Response.ResponseBuilder response = Response.status(answer.status())
                    .entity(answer.body() == null ? "" : answer.body());
            answer.headers().forEach(response::header);
            return response.build();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return unreachable(owner + " did not answer");
        } catch (ExecutionException | TimeoutException e) {
            return unreachable("the instance that holds this job (" + owner + ") did not answer within "
                    + TIMEOUT.toSeconds() + " s: " + describe(e));
        }
    }

    /** The same GET on every other instance holding part of one of {@code stores}, each answered from its own. */
    /**
     * The other instances' parts of this request's list, asked now and read with {@link Gathering#answers}: a list
     * sends its asks before it reads its own part, so that it waits for the slowest instance, not for the sum of all.
     */
    public Gathering gatherLater(String... stores) {
        List<HostInfo> hosts = others(stores);
        return hosts.isEmpty() ? new Gathering(List.of(), List.of()) : askEachLater(hosts, request().uri());
    }

    /** A GET of {@code uri} on each of {@code hosts} at once, each answered from its own stores; each must give a list. */
    public List<Answer> askEach(List<HostInfo> hosts, String uri) throws Unreachable {
        return askEachLater(hosts, uri).answers();
    }

    private Gathering askEachLater(List<HostInfo> hosts, String uri) {
        List<CompletableFuture<Answer>> calls = new ArrayList<>();
        for (HostInfo host : hosts) {
            calls.add(send(host, "GET", uri));
        }
        return new Gathering(hosts, calls);
    }

    /** Asks on their way to other instances, one for each, each to be answered with a list. */
    public static final class Gathering {

        private final List<HostInfo> hosts;
        private final List<CompletableFuture<Answer>> calls;

        private Gathering(List<HostInfo> hosts, List<CompletableFuture<Answer>> calls) {
            this.hosts = hosts;
            this.calls = calls;
        }

        /** Each instance's answer, or {@link Unreachable} naming the first that did not give a list in time. */
        public List<Answer> answers() throws Unreachable {
            List<Answer> answers = new ArrayList<>();
            for (int i = 0; i < calls.size(); i++) {
                Answer answer = await(hosts.get(i), calls.get(i));
                if (answer.status() != 200 || answer.body() == null || !answer.body().isArray()) {
                    throw new Unreachable("instance " + hosts.get(i) + " answered " + answer.status()
                            + (answer.body() == null ? "" : ": " + answer.body()));
                }
                answers.add(answer);
            }
            return answers;
        }
    }

    /** A list could not be gathered from every instance: 503, naming the one that failed. */
    public static Response unreachable(String why) {
        return Response.status(Response.Status.SERVICE_UNAVAILABLE).header("Retry-After", "2")
                .entity(Map.of("error", why + "; the answer would be incomplete, try again shortly")).build();
    }

    /**
     * One page of a list every instance holds a part of: each instance sent its own first page after the same cursor
     * (its items, X-Total-Count and, when it had more, a Link), so the first {@code size} of all of them in
     * {@code order} are the page. {@code more} tells whether a next page exists.
     */
    public record Page(List<JsonNode> items, long total, boolean more) {
    }

    public Page merge(Object local, long localTotal, boolean localMore, List<Answer> answers, int size,
            java.util.Comparator<JsonNode> order) {
        List<JsonNode> merged = new ArrayList<>();
        tree(local).forEach(merged::add);
        long total = localTotal;
        boolean more = localMore;
        for (Answer answer : answers) {
            answer.body().forEach(merged::add);
            total += Long.parseLong(answer.headers().getOrDefault("X-Total-Count", "0"));
            more |= answer.headers().containsKey("Link");
        }
        merged.sort(order);
        if (merged.size() > size) {
            more = true;
            merged = merged.subList(0, size);
        }
        return new Page(merged, total, more);
    }

    /** Local results in JSON, to merge with the peers'. */
    public JsonNode tree(Object value) {
        return json.valueToTree(value);
    }

    private CompletableFuture<Answer> send(HostInfo host, String method, String uri) {
        HttpServerRequest request = request();
        HttpRequest.Builder call = HttpRequest.newBuilder(URI.create("http://" + host.host() + ":" + host.port() + uri))
                .timeout(TIMEOUT).header(LOCAL_HEADER, "true").method(method, HttpRequest.BodyPublishers.noBody());
        for (String name : FORWARDED) {
            String value = request.getHeader(name);
            if (value != null) {
                call.header(name, value);
            }
        }
        return http.sendAsync(call.build(), HttpResponse.BodyHandlers.ofByteArray()).thenApply(response -> {
            JsonNode body = null;
            try {
                body = response.body().length == 0 ? null : json.readTree(response.body());
            } catch (java.io.IOException notJson) {
                LOG.debugf("instance %s answered %s with a body that is not JSON", host, uri);
            }
            Map<String, String> headers = new java.util.LinkedHashMap<>();
            for (String name : ANSWERED) {
                response.headers().firstValue(name).ifPresent(value -> headers.put(name, value));
            }
            return new Answer(host, response.statusCode(), body, headers);
        });
    }

    private static String describe(Exception e) {
        Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        return cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : " " + cause.getMessage());
    }

    private HttpServerRequest request() {
        var context = current.getCurrent();
        return context == null ? null : context.request();
    }
}
