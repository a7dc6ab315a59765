package io.hookline.schema.serde;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.avro.Schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A Confluent-compatible schema registry (Confluent's own, or Apicurio Registry's {@code /apis/ccompat/v7}), for the
 * optional wire format {@link AvroSerde} writes when one is configured: a zero byte, the schema's id (4 bytes, big
 * endian) and the Avro binary body, as every Confluent-compatible consumer reads it. One subject per record, named
 * after it ({@code io.hookline.schema.BackupEvent}: the record name strategy, since one record may go to several
 * topics), holding every released version in order, so that the registry's own compatibility rules see the same
 * history as Hookline's build.
 */
public final class SchemaRegistry {

    static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private final Map<Integer, Schema> byId = new ConcurrentHashMap<>();
    private final Map<String, Integer> current = new ConcurrentHashMap<>();
    private final Map<Schema, Integer> written = new ConcurrentHashMap<>();

    /** {@code url}: the registry's Confluent-compatible API, e.g. {@code http://registry:8080/apis/ccompat/v7}. */
    public SchemaRegistry(String url) {
        this.base = URI.create(url.endsWith("/") ? url : url + "/");
    }

    public URI url() {
        return base;
    }

    /**
     * Registers every released version of every record, oldest first (registering a version the registry has is
     * a no-op answering its id), and remembers the id of each record's newest one: what this build writes.
     *
     * @throws IOException when the registry cannot be reached or refuses a version (say, as incompatible)
     */
    public void registerReleased() throws IOException {
        List<ReleasedSchemas.Released> released = new ArrayList<>(ReleasedSchemas.all());
        released.sort(Comparator.comparing(ReleasedSchemas.Released::subject)
                .thenComparingInt(ReleasedSchemas.Released::version));
        for (ReleasedSchemas.Released version : released) {
            int id = register(version.fullName(), version.schema());
            current.put(version.fullName(), id);
        }
    }

    /** Registers {@code schema} under {@code subject}: its id, new or the one the registry already gave it. */
    public int register(String subject, Schema schema) throws IOException {
        String body = JSON.writeValueAsString(Map.of("schema", schema.toString(), "schemaType", "AVRO"));
        JsonNode answer = call(HttpRequest.newBuilder(resolve("subjects/" + encode(subject) + "/versions"))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .POST(HttpRequest.BodyPublishers.ofString(body)), "register " + subject);
        int id = answer.path("id").asInt(-1);
        if (id < 0) {
            throw new IOException("the schema registry at " + base + " answered no id for " + subject + ": " + answer);
        }
        byId.putIfAbsent(id, schema);
        return id;
    }

    /** The id this build writes {@code fullName} with, if {@link #registerReleased} registered it. */
    public Integer idOf(String fullName) {
        return current.get(fullName);
    }

    /**
     * The id to write a record of {@code schema} with: its released version's, or (a build whose schema is not
     * released yet) one registered for it now.
     */
    public int idFor(Schema schema) {
        Integer id = written.get(schema);
        if (id != null) {
            return id;
        }
        for (Map.Entry<Integer, Schema> known : byId.entrySet()) {
            if (known.getValue().equals(schema)) {
                written.put(schema, known.getKey());
                return known.getKey();
            }
        }
        try {
            int registered = register(schema.getFullName(), schema);
            written.put(schema, registered);
            return registered;
        } catch (IOException e) {
            throw new org.apache.kafka.common.errors.SerializationException("cannot register " + schema.getFullName()
                    + ": " + e.getMessage(), e);
        }
    }

    /** The schema a record was written with, by the id it carries (asked once, then kept). */
    public Schema schema(int id) {
        return byId.computeIfAbsent(id, this::fetch);
    }

    private Schema fetch(int id) {
        try {
            JsonNode answer = call(HttpRequest.newBuilder(resolve("schemas/ids/" + id)).GET(), "read schema " + id);
            return new Schema.Parser().parse(answer.path("schema").asText());
        } catch (IOException e) {
            throw new org.apache.kafka.common.errors.SerializationException("schema " + id + ": " + e.getMessage(), e);
        }
    }

    private JsonNode call(HttpRequest.Builder request, String what) throws IOException {
        HttpResponse<String> response;
        try {
            response = http.send(request.timeout(TIMEOUT).header("Accept", "application/vnd.schemaregistry.v1+json, "
                    + "application/json").build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + what, e);
        }
        if (response.statusCode() / 100 != 2) {
            throw new IOException("the schema registry at " + base + " refused to " + what + ": HTTP "
                    + response.statusCode() + " " + response.body());
        }
        return JSON.readTree(response.body());
    }

    private URI resolve(String path) {
        return base.resolve(path);
    }

    private static String encode(String subject) {
        return URLEncoder.encode(subject, StandardCharsets.UTF_8);
    }
}
