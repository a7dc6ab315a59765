package io.hookline.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import io.hookline.schema.topics.Topics;

/**
 * What k8s/ must agree on with the code, beyond what the Kubernetes and Strimzi models check (the deploy module):
 * a KafkaTopic for every topic Hookline uses, with the configs its contract needs; each container listening where
 * its image says and its probes and Service point; the processor's instance address naming its headless Service.
 */
class K8sManifestsTest {

    static final Path BASE = LocalRunTest.ROOT.resolve("k8s/base");
    final ObjectMapper yaml = new YAMLMapper();

    List<JsonNode> documents(String file) throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        try (var parser = new YAMLFactory().createParser(BASE.resolve(file).toFile())) {
            var values = yaml.readValues(parser, JsonNode.class);
            while (values.hasNext()) {
                JsonNode doc = values.next();
                if (doc != null && !doc.isNull() && !doc.isEmpty()) {
                    docs.add(doc);
                }
            }
        }
        return docs;
    }

    JsonNode one(String file, String kind) throws IOException {
        return documents(file).stream().filter(d -> d.path("kind").asText().equals(kind)).findFirst().orElseThrow();
    }

    @Test
    void everyTopicHooklineUsesIsAKafkaTopicWithTheConfigsItsContractNeeds() throws Exception {
        Map<String, Map<String, String>> declared = new TreeMap<>();
        for (JsonNode topic : documents("topics.yaml")) {
            assertEquals("KafkaTopic", topic.path("kind").asText());
            Map<String, String> config = new TreeMap<>();
            topic.path("spec").path("config").fields().forEachRemaining(e -> config.put(e.getKey(), e.getValue().asText()));
            declared.put(topic.path("metadata").path("name").asText(), config);
            assertTrue(topic.path("spec").path("partitions").asInt() >= 6, "partitions bound the processors");
        }
        Map<String, Map<String, String>> needed = new TreeMap<>();
        // The event log kept forever, hookline.topics.events-retention-ms's default.
        for (Topics.Spec spec : Topics.withDefaultPrefix().specs(-1)) {
            needed.put(spec.name(), new TreeMap<>(spec.configs()));
        }
        assertEquals(needed, declared);
    }

    @Test
    void eachServiceListensWhereItsImageItsProbesAndItsServicesSay() throws Exception {
        for (String service : List.of("gateway", "processor")) {
            String file = service + ".yaml";
            JsonNode workload = documents(file).stream().filter(d -> d.path("kind").asText().matches("Deployment|StatefulSet"))
                    .findFirst().orElseThrow();
            JsonNode container = workload.path("spec").path("template").path("spec").path("containers").get(0);
            int port = container.path("ports").get(0).path("containerPort").asInt();
            Matcher exposed = Pattern.compile("(?m)^EXPOSE (\\d+)$").matcher(Files.readString(LocalRunTest.ROOT
                    .resolve(service + "/src/main/docker/Dockerfile.jvm")));
            assertTrue(exposed.find());
            assertEquals(Integer.parseInt(exposed.group(1)), port, service + ": the image's port");
            Map<String, String> env = new TreeMap<>();
            container.path("env").forEach(e -> env.put(e.path("name").asText(), e.path("value").asText()));
            assertEquals(Integer.toString(port), env.get("QUARKUS_HTTP_PORT"), service + " listens on its port");
            assertEquals("hookline-kafka-bootstrap:9093", env.get("KAFKA_BOOTSTRAP_SERVERS"),
                    service + ": Strimzi's bootstrap Service, TLS listener of kafka.yaml");
            String config = env.get("QUARKUS_CONFIG_LOCATIONS");
            assertTrue(config.startsWith("/config/") && Files.exists(BASE.resolve("config").resolve(
                    config.substring("/config/".length()))), service + ": its properties file is in k8s/base/config");
            for (JsonNode svc : documents(file).stream().filter(d -> d.path("kind").asText().equals("Service")).toList()) {
                assertEquals("http", svc.path("spec").path("ports").get(0).path("targetPort").asText());
            }
        }
        JsonNode processor = one("processor.yaml", "StatefulSet");
        Map<String, String> env = new TreeMap<>();
        processor.path("spec").path("template").path("spec").path("containers").get(0).path("env")
                .forEach(e -> env.put(e.path("name").asText(), e.path("value").asText()));
        assertEquals("$(POD_NAME).hookline-processor-headless.$(POD_NAMESPACE).svc:8081",
                env.get("HOOKLINE_INSTANCE_ADDRESS"));
        assertEquals("hookline-processor-headless", processor.path("spec").path("serviceName").asText());
        assertEquals("$(POD_NAME)", env.get("HOOKLINE_INSTANCE_ID"), "static membership by the pod's stable name");
        assertEquals("/var/lib/hookline", env.get("HOOKLINE_STATE_DIR"));
        assertTrue(processor.path("spec").path("volumeClaimTemplates").get(0).path("metadata").path("name").asText()
                .equals("state"), "its state on a volume claim of its own");
    }
}
