package io.hookline.runtime.topics;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.hookline.schema.serde.AvroSerde;

/** A wrong hookline.schema-registry.url stops the start with a sentence naming the setting, not a stack trace. */
class WireFormatTest {

    @Test
    void aValueThatIsNotARegistryUrlIsRefusedNamingTheSetting() {
        List<String> log = new ArrayList<>();
        for (String wrong : List.of("registry:8080", "http://bad host/x", "ftp://registry/", "x".repeat(10_000))) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> WireFormat.configure(Optional.of(wrong), log::add), wrong);
            assertTrue(e.getMessage().startsWith("hookline.schema-registry.url: '"), e.getMessage());
            assertTrue(e.getMessage().contains("is not a registry URL"), e.getMessage());
            assertTrue(e.getMessage().length() < 500, "a 10,000-character value is cut in the message");
        }
        assertNull(AvroSerde.registry(), "nothing is written through a registry that was refused");
    }

    @Test
    void noValueMeansNoRegistry() {
        WireFormat.configure(Optional.empty(), line -> { });
        assertNull(AvroSerde.registry());
        WireFormat.configure(Optional.of("  "), line -> { });
        assertNull(AvroSerde.registry());
    }
}
