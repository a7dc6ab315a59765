package io.hookline.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.hookline.devstack.LocalKafka;
import io.hookline.devstack.LocalSchemaRegistry;
import io.hookline.schema.BackupEvent;
import io.hookline.schema.serde.AvroSerde;
import io.hookline.schema.serde.ReleasedSchemas;
import io.hookline.schema.serde.SchemaRegistry;

/**
 * The schema-registry mode against a real Apicurio Registry (in-memory, from Maven Central): every released schema
 * registered in order under its record's subject (the registry's own compatibility rules accept the history), a
 * record written by an old release read by this one; and the gateway and the processor, both configured with
 * hookline.schema-registry.url, carrying a hook through hookline.events in the Confluent wire format.
 */
class SchemaRegistryTest {

    static final Path ROOT = LocalRunTest.ROOT;
    static final String TOKEN = "e2e-registry-token-0123456789abcdef";
    static final String OPERATOR = "e2e-registry-operator-0123456789abcdef";

    @TempDir
    Path home;

    @Test
    void bothServicesWriteAndReadThroughARealRegistryAndOldRecordsStillRead() throws Exception {
        Path archive = Path.of(System.getProperty("hookline.apicurio.archive"));
        try (LocalSchemaRegistry apicurio = new LocalSchemaRegistry(archive, home.resolve("registry"),
                LocalKafka.freePort()).start(Duration.ofMinutes(2))) {
            SchemaRegistry registry = new SchemaRegistry(apicurio.ccompatUrl());
            registry.registerReleased();

            // One subject per record, every released version in it.
            HttpClient http = HttpClient.newHttpClient();
            ObjectMapper json = new ObjectMapper();
            for (String record : List.of("BackupEvent", "JobState", "Command", "AlertEvent")) {
                long released = ReleasedSchemas.all().stream().filter(r -> r.subject().equals(record)).count();
                JsonNode versions = json.readTree(http.send(HttpRequest.newBuilder(URI.create(apicurio.ccompatUrl()
                        + "/subjects/io.hookline.schema." + record + "/versions")).build(),
                        HttpResponse.BodyHandlers.ofString()).body());
                assertEquals(released, versions.size(), record + "'s versions in the registry: " + versions);
            }

            // A BackupEvent as release 1 wrote it, through the registry, read by this build.
            Schema first = ReleasedSchemas.versionsOf("io.hookline.schema.BackupEvent").get(0);
            int firstId = registry.register(first.getFullName(), first);
            GenericData.Record old = new GenericData.Record(first);
            for (Schema.Field field : first.getFields()) {
                if (field.hasDefaultValue()) {
                    old.put(field.name(), GenericData.get().getDefaultValue(field));
                }
            }
            old.put("eventId", "old-1");
            old.put("receivedAt", Instant.parse("2026-11-01T00:00:00Z").toEpochMilli());
            old.put("sourceKind", new GenericData.EnumSymbol(first.getField("sourceKind").schema(), "XSIBACKUP"));
            old.put("sourceName", "esxi-prod");
            old.put("job", "04");
            old.put("jobKey", "esxi-prod/04");
            old.put("type", new GenericData.EnumSymbol(first.getField("type").schema(), "RUN_SUCCEEDED"));
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            bytes.write(new byte[] {0, (byte) (firstId >>> 24), (byte) (firstId >>> 16), (byte) (firstId >>> 8),
                    (byte) firstId});
            BinaryEncoder body = EncoderFactory.get().directBinaryEncoder(bytes, null);
            new GenericDatumWriter<GenericData.Record>(first).write(old, body);
            body.flush();
            AvroSerde.useRegistry(registry);
            try {
                BackupEvent read = AvroSerde.of(BackupEvent.class).decode(bytes.toByteArray());
                assertEquals("esxi-prod/04", read.getJobKey());
                assertEquals(null, read.getCommand(), "a field release 1 did not have takes its default");
            } finally {
                AvroSerde.useRegistry(null);
            }

            // Both services with the registry: a hook goes through in the Confluent wire format.
            int kafkaPort = LocalRunTest.freePortPair();
            int gatewayPort = LocalKafka.freePort();
            int processorPort = LocalKafka.freePort();
            try (LocalKafka kafka = new LocalKafka(home.resolve("kafka"), kafkaPort, kafkaPort + 1)
                    .start(Duration.ofMinutes(2)); Processes processes = new Processes(home)) {
                String bootstrap = kafka.bootstrapServers();
                String url = "-Dhookline.schema-registry.url=" + apicurio.ccompatUrl();
                Process gateway = processes.java("gateway", List.of("-Xmx256m", url, "-Dquarkus.http.port=" + gatewayPort,
                        "-Dkafka.bootstrap.servers=" + bootstrap, "-Dhookline.sources.reg-xsi.kind=xsibackup",
                        "-Dhookline.sources.reg-xsi.token=" + TOKEN,
                        "-jar", ROOT.resolve("gateway/target/quarkus-app/quarkus-run.jar").toString()));
                Process processor = processes.java("processor", List.of("-Xmx320m", url,
                        "-Dquarkus.http.port=" + processorPort, "-Dkafka.bootstrap.servers=" + bootstrap,
                        "-Dhookline.state-dir=" + home.resolve("state"), "-Dhookline.api.users.e2e.role=operate",
                        "-Dhookline.api.users.e2e.token=" + OPERATOR,
                        "-jar", ROOT.resolve("processor/target/quarkus-app/quarkus-run.jar").toString()));
                processes.awaitReady("gateway", gatewayPort, gateway);
                processes.awaitReady("processor", processorPort, processor);

                String cmd = Base64.getEncoder().encodeToString("--backup-point=/vmfs/volumes/nas --backup-id=reg"
                        .getBytes(StandardCharsets.UTF_8));
                String query = Base64.getEncoder().encodeToString(("PID=71001|t=30|hostname=esxi-reg|cmd=" + cmd)
                        .getBytes(StandardCharsets.UTF_8));
                assertEquals("OK", http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gatewayPort
                        + "/hooks/xsibackup/" + TOKEN + "/success?" + query)).build(),
                        HttpResponse.BodyHandlers.ofString()).body());

                // The processor read it: the job and its run are in its API.
                JsonNode job = null;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (System.nanoTime() < deadline && job == null) {
                    HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                            + processorPort + "/api/jobs/reg-xsi/esxi-reg/reg")).header("Authorization", "Bearer "
                            + OPERATOR).build(), HttpResponse.BodyHandlers.ofString());
                    job = answer.statusCode() == 200 ? json.readTree(answer.body()) : null;
                    TimeUnit.MILLISECONDS.sleep(job == null ? 500 : 0);
                }
                assertTrue(job != null, "the processor folded the event the gateway wrote through the registry");
                assertEquals("succeeded", job.path("lastRun").path("outcome").asText());

                // On the topics: the Confluent wire format, the id of BackupEvent's newest release; job state too.
                byte[] event = first(bootstrap, "hookline.events");
                byte[] state = first(bootstrap, "hookline.job-state");
                assertEquals(0, event[0], "the registry's magic byte");
                int id = ((event[1] & 0xff) << 24) | ((event[2] & 0xff) << 16) | ((event[3] & 0xff) << 8) | (event[4] & 0xff);
                List<Schema> released = ReleasedSchemas.versionsOf("io.hookline.schema.BackupEvent");
                assertEquals(released.get(released.size() - 1), registry.schema(id));
                assertEquals(0, state[0], "job state is written through the registry too");
                System.out.printf("schema registry (Apicurio %s): %d released schemas registered; a hook through "
                        + "gateway and processor in the Confluent wire format (BackupEvent id %d)%n", "3.3.3",
                        ReleasedSchemas.all().size(), id);
            }
        }
    }

    static byte[] first(String bootstrap, String topic) {
        Map<String, Object> config = new HashMap<>(Map.of("bootstrap.servers", bootstrap, "group.id", "e2e-reg-"
                + UUID.randomUUID(), "auto.offset.reset", "earliest", "isolation.level", "read_committed"));
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    if (record.value() != null) {
                        return record.value();
                    }
                }
            }
        }
        throw new AssertionError("nothing on " + topic);
    }
}
