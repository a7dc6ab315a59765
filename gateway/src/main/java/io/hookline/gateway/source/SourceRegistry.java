package io.hookline.gateway.source;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.hookline.gateway.GatewayConfig;
import io.hookline.runtime.time.WeeklyWindow;
import io.hookline.schema.SourceKind;

/**
 * The configured sources, found by token. Tokens are kept only as SHA-256 digests: a lookup compares digests,
 * so neither timing nor a heap dump gives a token away.
 */
@ApplicationScoped
public class SourceRegistry {

    private static final Logger LOG = Logger.getLogger(SourceRegistry.class);
    static final int MIN_TOKEN_LENGTH = 16;

    /** A registered Healthchecks check: its UUID is its secret, and it names a job of a ping source. */
    public record Check(Source source, String job) {
    }

    private final Map<String, Source> byTokenDigest;
    private final Map<String, Check> checksByDigest;

    public SourceRegistry(GatewayConfig config) {
        this.byTokenDigest = index(config.sources());
        Map<String, Check> checks = new HashMap<>();
        for (Source source : byTokenDigest.values()) {
            if (source.kind() == SourceKind.PING) {
                // The checks are read once, here, with the source they belong to.
                config.sources().get(source.name()).checks().forEach((uuid, job) ->
                        checks.put(digest(uuid.toLowerCase(java.util.Locale.ROOT)), new Check(source, job)));
            }
        }
        this.checksByDigest = Map.copyOf(checks);
    }

    /** The check with this UUID, if one is registered. */
    public Optional<Check> check(String uuid) {
        if (uuid == null || uuid.isEmpty()) {
            return Optional.empty();
        }
        return Optional.ofNullable(checksByDigest.get(digest(uuid.toLowerCase(java.util.Locale.ROOT))));
    }

    /** The source of this kind whose token (current or previous) this is. */
    public Optional<Source> authenticate(SourceKind kind, String token) {
        if (token == null || token.isEmpty()) {
            return Optional.empty();
        }
        return Optional.ofNullable(byTokenDigest.get(key(kind, digest(token))));
    }

    /** Whether the text is the token (or previous token) of any source: to mask it wherever it appears. */
    public boolean isAnyToken(String text) {
        String digest = digest(text);
        return byTokenDigest.keySet().stream().anyMatch(key -> key.endsWith(":" + digest))
                || checksByDigest.containsKey(digest(text.toLowerCase(java.util.Locale.ROOT)));
    }

    public int size() {
        return (int) byTokenDigest.values().stream().distinct().count();
    }

    /** A short fingerprint of a token, safe to log, so an operator can tell which wrong token a host uses. */
    public static String fingerprint(String token) {
        return digest(token == null ? "" : token).substring(0, 8);
    }

    static Map<String, Source> index(Map<String, GatewayConfig.SourceConfig> configured) {
        Map<String, Source> index = new HashMap<>();
        Map<String, String> ownerOfDigest = new HashMap<>();
        List<String> problems = new ArrayList<>();
        for (var entry : configured.entrySet()) {
            String name = entry.getKey();
            GatewayConfig.SourceConfig config = entry.getValue();
            SourceKind kind = kindOf(config.kind());
            if (kind == null) {
                problems.add("hookline.sources." + name + ".kind: '" + config.kind()
                        + "' is not one of xsibackup, retrospect, ping, proxmox, cloudevents, generic, agent");
                continue;
            }
            ZoneId zone;
            try {
                zone = ZoneId.of(config.timeZone());
            } catch (DateTimeException e) {
                problems.add("hookline.sources." + name + ".time-zone: '" + config.timeZone() + "' is not a time zone");
                continue;
            }
            List<WeeklyWindow> windows = new ArrayList<>();
            for (String window : config.maintenanceWindows().orElse(List.of())) {
                try {
                    windows.add(WeeklyWindow.parse(window));
                } catch (IllegalArgumentException e) {
                    problems.add("hookline.sources." + name + ".maintenance-windows: " + e.getMessage());
                }
            }
            if (!(config.rateLimit() > 0) || config.rateBurst() < 1 || config.maxJobs() < 1) {
                problems.add("hookline.sources." + name + ": rate-limit, rate-burst and max-jobs must be above 0");
            }
            Source source = new Source(name, kind, config.ack(), zone,
                    new Source.Limits(config.rateLimit(), config.rateBurst(), config.maxJobs()),
                    new Source.Holds(config.pausedJobs().orElse(List.of()), config.pauseMessage(), windows,
                            config.maintenanceMessage()),
                    config.signingSecret().filter(secret -> !secret.isBlank()).orElse(null));
            List<String> tokens = new ArrayList<>();
            tokens.add(config.token());
            config.previousToken().ifPresent(tokens::add);
            for (String token : tokens) {
                if (token.isBlank()) {
                    problems.add("hookline.sources." + name + ".token is empty");
                    continue;
                }
                if (token.length() < MIN_TOKEN_LENGTH) {
                    LOG.warnf("source %s has a token shorter than %d characters: easy to guess", name, MIN_TOKEN_LENGTH);
                }
                // Each endpoint belongs to one kind, so a token must be unique among the sources of a kind only
                // (the local run gives every demo source the same token).
                String key = key(kind, digest(token));
                String owner = ownerOfDigest.putIfAbsent(key, name);
                if (owner != null && !owner.equals(name)) {
                    problems.add("sources " + owner + " and " + name + " have the same token: give each its own");
                }
                index.put(key, source);
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("invalid source configuration: " + String.join("; ", problems));
        }
        return Map.copyOf(index);
    }

    private static String key(SourceKind kind, String digest) {
        // CloudEvents and generic JSON share the /events endpoint.
        SourceKind endpoint = kind == SourceKind.GENERIC ? SourceKind.CLOUDEVENTS : kind;
        return endpoint.name() + ":" + digest;
    }

    static SourceKind kindOf(String configured) {
        try {
            SourceKind kind = SourceKind.valueOf(configured.strip().toUpperCase(Locale.ROOT));
            return kind == SourceKind.UNKNOWN ? null : kind;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    static String digest(String token) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha.digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
