package io.hookline.schema.cloudevents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.apache.kafka.common.header.Headers;
import org.junit.jupiter.api.Test;

class CloudEventHeadersTest {

    @Test
    void aRecordsTimeReadsAsTheInstantItself() {
        SplittableRandom random = new SplittableRandom(20261203);
        List<Instant> times = new ArrayList<>(List.of(Instant.EPOCH, Instant.ofEpochSecond(-1),
                Instant.parse("0000-01-01T00:00:00Z"), Instant.parse("9999-12-31T23:59:59.999999999Z"),
                Instant.parse("+10000-01-01T00:00:00Z"), Instant.parse("-0001-12-31T23:59:59Z"),
                Instant.parse("2024-02-29T12:00:00.5Z"), Instant.parse("2026-12-03T23:59:59.000001Z"),
                Instant.MIN, Instant.MAX));
        for (int i = 0; i < 100_000; i++) {
            long second = random.nextLong(-62_167_219_200L - 86_400L * 800, 253_402_300_800L + 86_400L * 800);
            // Whole seconds, milliseconds, microseconds and nanoseconds, as clocks and parsers give them.
            int nano = switch (i % 4) {
                case 0 -> 0;
                case 1 -> random.nextInt(1_000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1_000;
                default -> random.nextInt(1_000_000_000);
            };
            times.add(Instant.ofEpochSecond(second, nano));
        }
        for (Instant time : times) {
            assertEquals(time.toString(), new String(CloudEventHeaders.isoInstant(time), StandardCharsets.US_ASCII),
                    () -> "ce_time of " + time.getEpochSecond() + "s " + time.getNano() + "ns");
        }
    }

    @Test
    void everyAttributeIsAHeaderAndTheSubjectOnlyWhenThereIsOne() {
        Instant time = Instant.parse("2026-12-03T22:53:06.120Z");
        Headers headers = CloudEventHeaders.of("e-1:state", "/hookline/processor", "io.hookline.job.state", time,
                "esxi/vm-1");
        assertEquals("1.0", CloudEventHeaders.header(headers, "ce_specversion"));
        assertEquals("e-1:state", CloudEventHeaders.header(headers, "ce_id"));
        assertEquals("/hookline/processor", CloudEventHeaders.header(headers, "ce_source"));
        assertEquals("io.hookline.job.state", CloudEventHeaders.header(headers, "ce_type"));
        assertEquals("2026-12-03T22:53:06.120Z", CloudEventHeaders.header(headers, "ce_time"));
        assertEquals("esxi/vm-1", CloudEventHeaders.header(headers, "ce_subject"));
        assertEquals("application/avro; encoding=single-object", CloudEventHeaders.header(headers, "content-type"));
        assertEquals(7, headers.toArray().length);

        Headers without = CloudEventHeaders.of("e-2", "/hookline/processor", "io.hookline.job.state", time, null);
        assertNull(without.lastHeader("ce_subject"));
        assertEquals(6, without.toArray().length);
    }
}
