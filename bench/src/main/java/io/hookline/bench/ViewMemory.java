package io.hookline.bench;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.avro.specific.SpecificRecord;

import io.hookline.devstack.LocalKafka;
import io.hookline.runtime.topics.CompactedTopicView;
import io.hookline.runtime.topics.TopicBootstrap;
import io.hookline.schema.AlertCondition;
import io.hookline.schema.AlertEvent;
import io.hookline.schema.Severity;
import io.hookline.schema.AlertStatus;
import io.hookline.schema.DeadLetter;
import io.hookline.schema.QuarantinedEvent;
import io.hookline.schema.SourceKind;
import io.hookline.schema.serde.AvroSerde;
import io.hookline.schema.topics.Topics;

/**
 * What the processor's views of hookline.dead-letters and hookline.quarantine hold in memory when those topics are
 * large (a receiver down through an outage that fires an alert for every job; a fold that fails on every event):
 * the topics are filled on a real broker, then read by the views the processor uses, with their default bounds and
 * without any, in this JVM; the heap after a GC before and after each says what they hold.
 *
 * <pre>bench/views [--dead-letters N] [--quarantined N]</pre>
 */
public final class ViewMemory {

    static final String USAGE = "bench/views [--dead-letters 100000] [--quarantined 100000]";

    public static void main(String[] args) throws Exception {
        BenchOptions.run(USAGE, args, ViewMemory::bench);
    }

    static void bench(BenchOptions options) throws Exception {
        int deadLetters = options.count("dead-letters", 100_000, 1, 10_000_000);
        int quarantined = options.count("quarantined", 100_000, 1, 10_000_000);
        Path work = WorkDir.create("hookline-bench-views-");
        LocalKafka kafka = WorkDir.broker(work);
        try {
            kafka.start(Duration.ofSeconds(120));
            Topics topics = Topics.withDefaultPrefix();
            Map<String, Object> config = Map.of("bootstrap.servers", kafka.bootstrapServers());
            try (Admin admin = Admin.create(config)) {
                TopicBootstrap.ensure(admin, topics.specs(-1), 3, (short) 1, 30_000);
            }
            Instant t0 = Instant.now().minus(Duration.ofDays(1));
            int deadSize = fill(config, topics.deadLetters(), deadLetters, i -> deadLetter(i, t0));
            int quarantinedSize = fill(config, topics.quarantine(), quarantined, i -> quarantined(i, t0));
            System.out.printf(Locale.ROOT, "wrote %,d dead letters (%,d bytes each) and %,d quarantined events (%,d bytes"
                    + " each, a 1 kB event inside)%n", deadLetters, deadSize, quarantined, quarantinedSize);

            System.out.println();
            System.out.println("hookline.dead-letters, as the processor's delivery holds it:");
            measure("  every one (the release before)", deadLetters, () -> new CompactedTopicView<>(topics.deadLetters(),
                    DeadLetter.class, config));
            measure("  at most 10,000 and 16 MB of records (hookline.delivery.dead-letters.max, .max-bytes; the"
                    + " dropped left on the topic for this bench)", deadLetters,
                    () -> CompactedTopicView.newest(topics.deadLetters(), DeadLetter.class, config,
                            new CompactedTopicView.Bound<>(10_000, 16L << 20, DeadLetter::getDeadAt, false, (k, v) -> { })));
            System.out.println("hookline.quarantine, as /api/quarantine holds it:");
            measure("  every one (the release before)", quarantined, () -> new CompactedTopicView<>(topics.quarantine(),
                    QuarantinedEvent.class, config));
            measure("  the newest 1,000 and 16 MB of records (hookline.quarantine.listed, .listed-bytes)", quarantined,
                    () -> CompactedTopicView.newest(topics.quarantine(), QuarantinedEvent.class, config,
                            new CompactedTopicView.Bound<>(1_000, 16L << 20, QuarantinedEvent::getQuarantinedAt, false,
                                    (k, v) -> { })));
        } finally {
            kafka.stop();
        }
    }

    interface Opening<T extends SpecificRecord> {
        CompactedTopicView<T> open();
    }

    /** Opens a view, waits until it has read the whole topic, and prints what it holds and the heap it took. */
    static <T extends SpecificRecord> void measure(String label, int records, Opening<T> opening) throws Exception {
        long before = heapAfterGc();
        System.out.println(label + ": " + held(records, before, opening));
        // The closed view's reader thread lets go of what it held once it has stopped: wait for that, so that the
        // next view's figure does not include this one's.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (heapAfterGc() > before + 8_000_000 && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(500);
        }
    }

    /** The view is only referenced here, so it can be collected once this returns. */
    private static <T extends SpecificRecord> String held(int records, long before, Opening<T> opening)
            throws Exception {
        long start = System.nanoTime();
        CompactedTopicView<T> view = opening.open();
        try {
            long deadline = start + TimeUnit.MINUTES.toNanos(10);
            while (view.valuesRead() < records) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("read " + view.valuesRead() + " of " + records);
                }
                TimeUnit.MILLISECONDS.sleep(20);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            int held = view.values().size();
            long after = heapAfterGc();
            return String.format(Locale.ROOT, "read %,d in %.1f s, holds %,d; heap %+.1f MB (%,.0f bytes each held)",
                    records, seconds, held, (after - before) / 1e6, (after - before) / (double) held);
        } finally {
            view.close();
        }
    }

    static long heapAfterGc() throws InterruptedException {
        for (int i = 0; i < 2; i++) {
            System.gc();
            TimeUnit.MILLISECONDS.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    static <T extends SpecificRecord> int fill(Map<String, Object> config, String topic, int count,
            java.util.function.IntFunction<T> record) throws Exception {
        @SuppressWarnings("unchecked")
        AvroSerde<T> serde = (AvroSerde<T>) AvroSerde.of(record.apply(0).getClass());
        int size = 0;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
                config.get("bootstrap.servers"), "acks", "all", "linger.ms", 20, "batch.size", 262_144),
                new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < count; i++) {
                byte[] value = serde.encode(record.apply(i));
                size = value.length;
                producer.send(new ProducerRecord<>(topic, "k-" + i, value));
            }
            producer.flush();
        }
        return size;
    }

    /** A dead letter as a webhook receiver that stayed down leaves one: one missed backup's alert. */
    static DeadLetter deadLetter(int i, Instant t0) {
        String job = "esxi-prod/esxi" + (i % 50) + "/vm-" + i;
        AlertEvent alert = AlertEvent.newBuilder().setAlertKey(job + "/missed").setStatus(AlertStatus.FIRING)
                .setCondition(AlertCondition.MISSED).setSeverity(Severity.WARNING).setJobKey(job)
                .setSourceName("esxi-prod").setSourceKind(SourceKind.XSIBACKUP).setHost("esxi" + (i % 50))
                .setJob("vm-" + i).setSummary(job + " missed its backup: no success since " + t0 + " (every 1d, grace 2h)")
                .setStartsAt(t0).setUpdatedAt(t0).setEventIds(List.of()).setLabels(Map.of()).build();
        return DeadLetter.newBuilder().setNotificationId("msg_" + i).setReceiver("ops-webhook").setChannel("webhook")
                .setAlert(alert).setAlerts(List.of(alert)).setAttempts(12).setLastStatus(503)
                .setLastMessage("HTTP 503: Service Unavailable").setDeadAt(t0.plusMillis(i)).setGroupKey(alert.getAlertKey())
                .setGroupLabels(Map.of()).build();
    }

    /** An event the fold could not read, as the processor sets it aside: its 1 kB of bytes kept. */
    static QuarantinedEvent quarantined(int i, Instant t0) {
        byte[] value = new byte[1024];
        java.util.Arrays.fill(value, (byte) ('a' + i % 26));
        return QuarantinedEvent.newBuilder().setQuarantineId("hookline.events/" + (i % 3) + "/" + i)
                .setQuarantinedAt(t0.plusMillis(i)).setTopic("hookline.events").setPartition(i % 3).setOffset(i)
                .setKey("esxi-prod/esxi" + (i % 50) + "/vm-" + i).setEventId("evt-" + i).setStage("fold")
                .setError("IllegalStateException: a fold that fails on every event").setValue(ByteBuffer.wrap(value))
                .setValueBytes(value.length).build();
    }
}
