package io.hookline.gateway.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.hookline.gateway.GatewayConfig;
import io.hookline.schema.SourceKind;

/** Source configuration is checked at start, with messages that name the property. */
class SourceRegistryTest {

    record Settings(String kind, String token, Optional<String> previousToken, String timeZone,
            Optional<List<String>> maintenanceWindows) implements GatewayConfig.SourceConfig {
        public String ack() { return "OK"; }
        public double rateLimit() { return 20; }
        public int rateBurst() { return 200; }
        public int maxJobs() { return 1000; }
        public Optional<String> signingSecret() { return Optional.empty(); }
        public Map<String, String> checks() { return Map.of(); }
        public Optional<List<String>> pausedJobs() { return Optional.empty(); }
        public String pauseMessage() { return "paused"; }
        public String maintenanceMessage() { return "maintenance"; }
    }

    static Settings source(String kind, String token) {
        return new Settings(kind, token, Optional.empty(), "UTC", Optional.empty());
    }

    @Test
    void oneTokenMayServeSourcesOfDifferentKindsButNotTwoOfTheSameKind() {
        Map<String, GatewayConfig.SourceConfig> sources = new LinkedHashMap<>();
        sources.put("demo-xsibackup", source("xsibackup", "shared-demo-token-0123456789"));
        sources.put("demo-ping", source("ping", "shared-demo-token-0123456789"));
        Map<String, Source> index = SourceRegistry.index(sources);
        assertEquals(2, index.size());

        sources.put("other-ping", source("ping", "shared-demo-token-0123456789"));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> SourceRegistry.index(sources));
        assertTrue(e.getMessage().contains("sources demo-ping and other-ping have the same token"), e.getMessage());
    }

    @Test
    void aWrongKindZoneOrMaintenanceWindowIsRefusedNamingTheProperty() {
        Map<String, GatewayConfig.SourceConfig> sources = new LinkedHashMap<>();
        sources.put("a", source("arcserve", "token-a-0123456789abcdef"));
        sources.put("b", new Settings("retrospect", "token-b-0123456789abcdef", Optional.empty(), "Mars/Olympus",
                Optional.empty()));
        sources.put("c", new Settings("retrospect", "token-c-0123456789abcdef", Optional.empty(), "UTC",
                Optional.of(List.of("Caturday 22:00-23:00"))));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> SourceRegistry.index(sources));
        assertTrue(e.getMessage().contains("hookline.sources.a.kind: 'arcserve' is not one of"), e.getMessage());
        assertTrue(e.getMessage().contains("hookline.sources.b.time-zone: 'Mars/Olympus' is not a time zone"), e.getMessage());
        assertTrue(e.getMessage().contains("hookline.sources.c.maintenance-windows: maintenance window 'Caturday 22:00-23:00'"),
                e.getMessage());
    }

    @Test
    void theSameTokenAuthenticatesOnlyForItsKind() {
        Map<String, Source> index = SourceRegistry.index(Map.of("x", source("xsibackup", "only-xsi-token-0123456789")));
        assertEquals(1, index.size());
        assertTrue(index.keySet().iterator().next().startsWith(SourceKind.XSIBACKUP.name() + ":"));
    }
}
