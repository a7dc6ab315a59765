package io.hookline.processor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;

import io.hookline.devstack.SharedKafka;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** The module's one real broker (devstack), and a fresh Kafka Streams state folder for each application start. */
public class KafkaTestResource implements QuarkusTestResourceLifecycleManager {

    /** The operator every test calls the API as, unless it tests access itself (ApiAccessTest). */
    public static final String OPERATOR_TOKEN = "test-operator-token-0123456789";
    public static final String READER_TOKEN = "test-reader-token-0123456789";

    @Override
    public Map<String, String> start() {
        // A filter, not a request specification: the port Quarkus gives RestAssured must stay its own.
        io.restassured.RestAssured.replaceFiltersWith((request, response, context) -> {
            if (!request.getHeaders().hasHeaderWithName("Authorization")) {
                request.header("Authorization", "Bearer " + OPERATOR_TOKEN);
            }
            return context.next(request, response);
        });
        try {
            // Receivers for every processor test: local HTTP servers standing in for a webhook endpoint and Slack.
            io.hookline.processor.notify.TestReceivers receivers = io.hookline.processor.notify.TestReceivers.get();
            java.nio.file.Path rules = Files.createTempFile("hookline-rules-", ".yaml");
            Files.writeString(rules, """
                    receivers:
                      - name: ops-webhook
                        type: webhook
                        url: %s
                        secret: whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
                      - name: team-slack
                        type: slack
                        url: %s
                      - name: flaky
                        type: webhook
                        url: %s
                        max-attempts: 5
                      - name: gone
                        type: webhook
                        url: %s
                      - name: switchable
                        type: webhook
                        url: %s
                        max-attempts: 1
                      - name: ops-ntfy
                        type: ntfy
                        url: %s
                      - name: pager
                        type: pagerduty
                        routing-key: R0UT1NGKEY0123456789
                        url: %s
                      - name: teams
                        type: teams
                        url: %s
                      - name: sms
                        type: sms
                        url: "%s?to={{to}}"
                        to: "+4915112345678"
                        body: '{"to":"{{to}}","text":"{{text_json}}"}'
                        headers: {Authorization: "Basic dGVzdDp0ZXN0"}
                        max-length: 160
                      - name: grouped-hook
                        type: webhook
                        url: %s
                        secret: whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
                      - name: oncall-mail
                        type: email
                        host: 127.0.0.1
                        port: %d
                        from: hookline@example.org
                        to: oncall@example.org, backup-team@example.org
                    inhibit:
                      - source: {job: "*/hostcheck"}
                        target: {job: "*"}
                        equal: [host]
                    routes:
                      - match: {job: "*grouped*"}
                        receiver: grouped-hook
                        group-by: [host]
                        group-wait: 3s
                        group-interval: 3s
                        repeat-interval: 8s
                        continue: true
                      - match: {job: "*grouped*"}
                        receiver: oncall-mail
                        group-by: [host]
                        group-wait: 3s
                        group-interval: 3s
                        repeat-interval: never
                      - {match: {job: "*switch*"}, receiver: switchable}
                      - {match: {job: "*fanout*"}, receiver: ops-ntfy, continue: true}
                      - {match: {job: "*fanout*"}, receiver: pager, continue: true}
                      - {match: {job: "*fanout*"}, receiver: teams, continue: true}
                      - {match: {job: "*fanout*"}, receiver: sms, continue: true}
                      - {match: {job: "*fanout*"}, receiver: oncall-mail}
                      - match: {job: "*flaky*"}
                        receiver: flaky
                      - match: {job: "*gone*"}
                        receiver: gone
                      - match: {severity: critical}
                        receiver: team-slack
                        continue: true
                      - receiver: ops-webhook
                    """.formatted(receivers.url("/hook"), receivers.url("/slack"), receivers.url("/flaky"),
                    receivers.url("/gone"), receivers.url("/switch"), receivers.url("/ntfy"), receivers.url("/pagerduty"), receivers.url("/teams"),
                    receivers.url("/sms"), receivers.url("/grouped"), receivers.smtpPort()));
            return Map.of("kafka.bootstrap.servers", SharedKafka.bootstrapServers(),
                    "hookline.state-dir", Files.createTempDirectory("hookline-processor-state-").toString(),
                    "hookline.rules", rules.toString(),
                    "hookline.delivery.initial-backoff", "100ms",
                    "hookline.public-url", "https://hookline.example.org/");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        // The broker outlives the application; it stops with the JVM.
    }
}
