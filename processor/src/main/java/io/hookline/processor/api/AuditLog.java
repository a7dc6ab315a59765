package io.hookline.processor.api;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jboss.logging.Logger;

import io.hookline.processor.ProcessorConfig;
import io.hookline.runtime.text.Excerpt;
import io.hookline.schema.AuditEvent;
import io.hookline.schema.cloudevents.CloudEventHeaders;
import io.hookline.schema.serde.AvroSerde;
import io.hookline.schema.topics.Topics;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.common.annotation.Identifier;
import io.vertx.ext.web.RoutingContext;

/** Every change made through the API, and every login, on hookline.audit: who, when, what, and the answer. */
@ApplicationScoped
public class AuditLog {

    private static final Logger LOG = Logger.getLogger(AuditLog.class);
    static final int DETAIL_CHARS = 1_000;

    private final String topic;
    private final KafkaProducer<String, byte[]> producer;
    private final AvroSerde<AuditEvent> serde = AvroSerde.of(AuditEvent.class);

    public AuditLog(ProcessorConfig config, @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig) {
        this.topic = new Topics(config.topics().prefix()).audit();
        this.producer = io.hookline.runtime.topics.Producers.acknowledged(kafkaConfig, "hookline-audit");
    }

    void onStop(@Observes ShutdownEvent stop) {
        producer.close(java.time.Duration.ofSeconds(5));
    }

    /** Records the change; waits (briefly) for the broker, so that an answered change is on the topic. */
    public void record(RoutingContext context, String action, String target, Map<String, ?> detail, int status) {
        Operator operator = ApiAccess.of(context);
        record(operator, context == null ? null : context.request().remoteAddress() == null ? null
                : context.request().remoteAddress().hostAddress(), action, target, detail, status);
    }

    public void record(Operator operator, String remoteAddress, String action, String target, Map<String, ?> detail,
            int status) {
        Map<String, String> values = new LinkedHashMap<>();
        if (detail != null) {
            detail.forEach((key, value) -> {
                if (value != null) {
                    String text = String.valueOf(value);
                    values.put(key, Excerpt.of(text, DETAIL_CHARS + 1));
                }
            });
        }
        AuditEvent event = AuditEvent.newBuilder()
                .setAuditId(UUID.randomUUID().toString())
                .setAt(Instant.now())
                .setOperator(operator.name())
                .setRole(operator.role().name().toLowerCase(java.util.Locale.ROOT))
                .setVia(operator.via())
                .setAction(action)
                .setTarget(target)
                .setDetail(values)
                .setStatus(status)
                .setRemoteAddress(remoteAddress)
                .build();
        try {
            producer.send(new ProducerRecord<>(topic, null, operator.name(), serde.encode(event),
                    CloudEventHeaders.of(event.getAuditId(), "/hookline/processor",
                            CloudEventHeaders.TYPE_PREFIX + "audit." + action, event.getAt(), target == null ? action : target)))
                    .get(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.errorf("could not record %s by %s on %s: %s", action, operator.name(), topic, e.toString());
        }
    }
}
