package io.hookline.gateway.xsibackup;

import io.hookline.gateway.HookTopics;
import org.junit.jupiter.api.extension.RegisterExtension;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import io.hookline.gateway.KafkaTestResource;
import io.hookline.schema.BackupEvent;
import io.hookline.schema.EventType;
import io.hookline.schema.RejectedHook;
import io.hookline.schema.RunOutcome;
import io.hookline.schema.cloudevents.CloudEventHeaders;
import io.hookline.schema.serde.AvroSerde;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.config.EncoderConfig;
import io.restassured.config.RestAssuredConfig;
import io.hookline.schema.topics.Topics;

/** XSIBackup hooks end to end: real HTTP into the gateway, real records on the real broker. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class XsiBackupHookTest {

    static final Topics TOPICS = Topics.withDefaultPrefix();

    static final String TOKEN = "test-token-esxi-prod-0123456789";
    static final String SMTP_PASSWORD = "Pa55-smtp-secret";

    @RegisterExtension
    static final HookTopics topics = new HookTopics();
    final AvroSerde<BackupEvent> eventSerde = AvroSerde.of(BackupEvent.class);

    static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    static String query(String pid, String cmd, String err) {
        String list = "PID=" + pid + "|t=347|hostname=esxi01|cmd=" + b64(cmd) + (err == null ? "" : "|err=" + b64(err));
        return b64(list);
    }

    static String cmd(String id) {
        return "--backup-point=/vmfs/volumes/backup --backup-type=custom --backup-vms=\"VM1,VM2!disk1;disk2\" "
                + "--backup-how=hot --backup-prog=vmkfstools --mail-to=ops@example.org --smtp-pwd=" + SMTP_PASSWORD
                + " --backup-id=" + id;
    }

    /** Sends the query exactly as given: no re-encoding by the HTTP client. */
    static io.restassured.response.Response get(String path, String rawQuery) {
        return given().config(RestAssuredConfig.config().encoderConfig(EncoderConfig.encoderConfig()))
                .urlEncodingEnabled(false)
                .when().get(path + (rawQuery == null ? "" : "?" + rawQuery));
    }

    ConsumerRecord<String, byte[]> eventOfRun(String pid) {
        // The whole record: its headers and the bytes as written are part of the contract.
        return topics.eventRecords().await(r -> pid.equals(eventSerde.decode(r.value()).getRunId()), Duration.ofSeconds(20));
    }

    @Test
    void successHookIsAnsweredOkOnlyWithTheRecordOnTheBrokerDecodableWithTheCommittedSchema() throws Exception {
        String pid = unique();
        get("/hooks/xsibackup/" + TOKEN + "/success", query(pid, cmd("04"), null))
                .then().statusCode(200).contentType(startsWith("text/plain")).body(equalTo("OK"));

        ConsumerRecord<String, byte[]> record = eventOfRun(pid);
        assertEquals("esxi-prod/esxi01/04", record.key());

        // An outside consumer decodes with the newest released version alone.
        Path released = Path.of("../schemas/src/main/resources/io/hookline/schema/released");
        String newest = Files.readAllLines(released.resolve("index.txt")).stream()
                .filter(line -> line.startsWith("BackupEvent/")).reduce((a, b) -> b).orElseThrow();
        Schema committed = new Schema.Parser().parse(Files.readString(released.resolve(newest)));
        GenericRecord plain = new BinaryMessageDecoder<GenericRecord>(GenericData.get(), committed).decode(record.value());
        assertEquals("RUN_SUCCEEDED", plain.get("type").toString());
        assertEquals("XSIBACKUP", plain.get("sourceKind").toString());
        assertEquals(347_000L, plain.get("durationMs"));
        GenericRecord detail = (GenericRecord) plain.get("detail");
        assertEquals("04", detail.get("backupId").toString());
        assertEquals("/vmfs/volumes/backup", detail.get("backupPoint").toString());
        assertEquals("vmkfstools", detail.get("backupProgram").toString());
        assertEquals("ops@example.org", detail.get("mailTo").toString());

        BackupEvent event = eventSerde.decode(record.value());
        assertEquals(RunOutcome.SUCCEEDED, event.getOutcome());
        assertEquals("VM1, VM2 -> /vmfs/volumes/backup", event.getJobName());
        assertEquals("xsibackup-" + pid, event.getRestorePoint().getId());
        assertEquals(List.of("disk1", "disk2"),
                ((io.hookline.schema.XsiBackupDetail) event.getDetail()).getVms().get(1).getDisks());

        assertEquals("1.0", CloudEventHeaders.header(record.headers(), "ce_specversion"));
        assertEquals(event.getEventId(), CloudEventHeaders.header(record.headers(), "ce_id"));
        assertEquals("/hookline/xsibackup/esxi-prod", CloudEventHeaders.header(record.headers(), "ce_source"));
        assertEquals("io.hookline.backup.run.succeeded", CloudEventHeaders.header(record.headers(), "ce_type"));
        assertEquals(event.getReceivedAt().toString(), CloudEventHeaders.header(record.headers(), "ce_time"));
        assertEquals(CloudEventHeaders.CONTENT_TYPE, CloudEventHeaders.header(record.headers(), "content-type"));
    }

    @Test
    void errorHookCarriesTheSplitErrorListAndNoSecretReachesTheTopic() {
        String pid = unique();
        String err = "VM1: snapshot failed\nVM2: cannot connect, smtp password=" + SMTP_PASSWORD + "\n";
        get("/hooks/xsibackup/" + TOKEN + "/error", query(pid, cmd("05"), err))
                .then().statusCode(200).body(equalTo("OK"));

        ConsumerRecord<String, byte[]> record = eventOfRun(pid);
        BackupEvent event = eventSerde.decode(record.value());
        assertEquals(EventType.RUN_FAILED, event.getType());
        assertEquals(List.of("VM1: snapshot failed", "VM2: cannot connect, smtp password=***"), event.getErrors());
        assertEquals("VM1: snapshot failed", event.getErrorMessage());
        assertNull(event.getRestorePoint());

        String everything = new String(record.value(), StandardCharsets.ISO_8859_1) + record.headers();
        assertFalse(everything.contains(SMTP_PASSWORD), "the SMTP password reached the topic");
        assertFalse(everything.contains(b64(cmd("05"))), "the base64 command (with its password) reached the topic");
        assertFalse(everything.contains(TOKEN), "the source token reached the topic");
        assertTrue(event.getRaw().getScrubbed());
        assertEquals("/hooks/xsibackup/***/error", event.getRaw().getPath());
    }

    @Test
    void theSourcesOwnAcknowledgementTextIsAnsweredExactly() {
        get("/hooks/xsibackup/test-token-esxi-lab-0123456789/success", query(unique(), cmd("01"), null))
                .then().statusCode(200).body(equalTo("BBKING"));
    }

    @Test
    void thePreviousTokenStillWorksDuringRotation() {
        get("/hooks/xsibackup/old-token-esxi-prod-0123456789/success", query(unique(), cmd("04"), null))
                .then().statusCode(200).body(equalTo("OK"));
    }

    @Test
    void theSameHookSentTwiceIsTwoRunsUnlessItCarriesOneIdempotencyKey() {
        String pid = unique();
        String query = query(pid, cmd("06"), "disk full");
        // XSIBackup sends no key: the same PID on another night is another run, never a retry.
        get("/hooks/xsibackup/" + TOKEN + "/error", query).then().statusCode(200);
        get("/hooks/xsibackup/" + TOKEN + "/error", query).then().statusCode(200);
        // A proxy that retries sends the key it was given.
        for (int i = 0; i < 2; i++) {
            given().urlEncodingEnabled(false).header("Idempotency-Key", "retry-of-" + pid)
                    .get("/hooks/xsibackup/" + TOKEN + "/error?" + query).then().statusCode(200);
        }

        List<String> ids = topics.events().awaitCount(e -> pid.equals(e.getRunId()), 4, Duration.ofSeconds(20)).stream()
                .map(BackupEvent::getEventId).toList();
        assertEquals(4, ids.size(), "every delivery is on the log: " + ids);
        assertFalse(ids.get(0).equals(ids.get(1)), "two calls without a key are two events");
        assertEquals(ids.get(2), ids.get(3), "a retry with its key keeps the call's id");
    }

    @Test
    void aHookWithoutBackupIdBelongsToTheJobOfItsArguments() {
        String pid = unique();
        get("/hooks/xsibackup/" + TOKEN + "/success",
                b64("PID=" + pid + "|t=5|cmd=" + b64("--backup-point=/vmfs/volumes/nas --backup-vms=DC01")))
                .then().statusCode(200);
        BackupEvent event = eventSerde.decode(eventOfRun(pid).value());
        assertTrue(event.getJobKey().matches("esxi-prod/cmd-[0-9a-f]{12}"), event.getJobKey());
    }

    @Test
    void notBase64IsRefusedWith400AndRecordedOnRejected() {
        String marker = "garbage" + unique();
        get("/hooks/xsibackup/" + TOKEN + "/error", "!!" + marker + "!!")
                .then().statusCode(400)
                .body(equalTo("hookline: the query string is not base64 of KEY=value|KEY=value text"));

        RejectedHook refused = topics.rejection(r -> String.valueOf(r.getRaw().getQuery()).contains(marker));
        assertEquals("esxi-prod", refused.getSourceName());
        assertEquals(400, refused.getStatus());
        assertEquals("not-base64", refused.getReason());
        assertEquals("/hooks/xsibackup/***/error", refused.getRaw().getPath());
    }

    @Test
    void aHookWithoutPidIsRefusedNamingTheKeysItHad() {
        get("/hooks/xsibackup/" + TOKEN + "/success", b64("t=3|cmd=" + b64("--backup-id=09")))
                .then().statusCode(400).body(equalTo("hookline: PID is missing from the decoded query (keys: t, cmd)"));
    }

    @Test
    void anUnknownHookNameIsRefused() {
        get("/hooks/xsibackup/" + TOKEN + "/finished", query(unique(), cmd("04"), null))
                .then().statusCode(400).body(equalTo("hookline: the URL must end in /success or /error, not /finished"));
    }

    @Test
    void anUnknownTokenGets404AndNothingOnTheEventLog() {
        String pid = unique();
        get("/hooks/xsibackup/not-a-token-" + pid + "/success", query(pid, cmd("04"), null))
                .then().statusCode(404).body(equalTo("hookline: no XSIBackup source has this token"));

        RejectedHook refused = topics.rejection(r -> r.getReason().equals("unknown-source"));
        assertNull(refused.getSourceName());
        assertFalse(refused.getRaw().getPath().contains("not-a-token"), refused.getRaw().getPath());
        assertTrue(topics.events().drain(Duration.ofSeconds(2)).stream().noneMatch(e -> pid.equals(e.getRunId())));
    }

    @Test
    void aHookOverTheSizeLimitGets413() {
        String huge = b64("PID=1|err=" + b64("x".repeat(900_000)));
        get("/hooks/xsibackup/" + TOKEN + "/error", huge)
                .then().statusCode(413).body(startsWith("hookline: the hook is "));
    }

    @Test
    void aLongQueryOverHttp2IsReadAsOverHttp11() throws Exception {
        // A client that speaks HTTP/2 (Java's, curl --http2) sends the path and query as a header, where the HTTP
        // server's default took 8 kB of headers and closed the connection (GOAWAY): an error list of 30,000
        // characters is a query of about 53,000, well within the 2 MiB request line taken over HTTP/1.1.
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        String base = "http://127.0.0.1:" + io.restassured.RestAssured.port;
        // The connection is upgraded (h2c) after its first call.
        http.send(HttpRequest.newBuilder(URI.create(base + "/q/health/live")).build(),
                HttpResponse.BodyHandlers.discarding());
        String pid = unique();
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(
                base + "/hooks/xsibackup/" + TOKEN + "/error?" + query(pid, cmd("05"), "disk full ".repeat(3_000))))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(HttpClient.Version.HTTP_2, answer.version());
        assertEquals(200, answer.statusCode(), answer.body());
        assertEquals("OK", answer.body());
        assertEquals("esxi-prod/esxi01/05", eventOfRun(pid).key());
        // Too large is refused by the gateway with its sentence, as over HTTP/1.1.
        HttpResponse<String> huge = http.send(HttpRequest.newBuilder(URI.create(
                base + "/hooks/xsibackup/" + TOKEN + "/error?" + b64("PID=1|err=" + b64("x".repeat(900_000)))))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(HttpClient.Version.HTTP_2, huge.version());
        assertEquals(413, huge.statusCode());
        assertTrue(huge.body().startsWith("hookline: the hook is "), huge.body());
    }

    static String unique() {
        return Long.toString(Math.abs(UUID.randomUUID().getMostSignificantBits() % 1_000_000_000L));
    }
}
