package io.hookline.processor.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import jakarta.enterprise.context.ApplicationScoped;

import io.hookline.processor.ProcessorConfig;

/**
 * The configured operators, found by token: tokens are kept only as SHA-256 digests and compared in constant
 * time. A dashboard login is a signed cookie ({@code name|expiry|mac}): any instance with the same operators
 * accepts it, and a changed token ends its sessions. Its CSRF token is derived from the same key.
 */
@ApplicationScoped
public class Operators {

    private record Entry(String name, Operator.Role role, byte[] digest) {
    }

    private final List<Entry> entries = new ArrayList<>();
    private final boolean enabled;
    private final byte[] sessionKey;
    private final java.time.Duration sessionLifetime;
    private final List<String> problems = new ArrayList<>();

    public Operators(ProcessorConfig config) {
        this.enabled = config.api().authEnabled();
        this.sessionLifetime = config.api().sessionLifetime();
        Map<String, ProcessorConfig.Api.User> users = new java.util.TreeMap<>(config.api().users());
        StringBuilder keyMaterial = new StringBuilder("hookline-session-v1");
        boolean secretMaterial = config.api().sessionSecret().filter(k -> !k.isBlank()).isPresent();
        config.api().sessionSecret().ifPresent(k -> keyMaterial.append('|').append(k));
        users.forEach((name, user) -> {
            Operator.Role role = Operator.Role.parse(user.role());
            byte[] digest = user.token().filter(t -> !t.isBlank()).map(Operators::sha256)
                    .or(() -> user.tokenSha256().map(String::strip).filter(h -> h.matches("[0-9a-fA-F]{64}"))
                            .map(HexFormat.of()::parseHex))
                    .orElse(null);
            if (role == null) {
                problems.add("hookline.api.users." + name + ".role is '" + user.role() + "': read or operate");
            } else if (digest == null) {
                problems.add("hookline.api.users." + name + " has no token (or token-sha256 of 64 hex digits)");
            } else {
                entries.add(new Entry(name, role, digest));
                keyMaterial.append('|').append(name).append(':').append(role);
                user.token().filter(t -> !t.isBlank()).ifPresent(token -> keyMaterial.append(':').append(token));
            }
        });
        boolean fromTokens = users.values().stream().anyMatch(u -> u.token().filter(t -> !t.isBlank()).isPresent());
        this.sessionKey = secretMaterial || fromTokens ? sha256(keyMaterial.toString())
                : sha256(keyMaterial + "|" + java.util.UUID.randomUUID());
    }

    public boolean enabled() {
        return enabled;
    }

    /** Mistakes in the operators' configuration, each a sentence (checked at start). */
    public List<String> problems() {
        return List.copyOf(problems);
    }

    public boolean anyConfigured() {
        return !entries.isEmpty();
    }

    /** The operator whose token this is. */
    public Optional<Operator> byToken(String token) {
        if (token == null || token.isEmpty()) {
            return Optional.empty();
        }
        byte[] digest = sha256(token);
        Entry found = null;
        for (Entry entry : entries) {
            // Every entry is compared, so that the time taken says nothing about which one matched.
            if (MessageDigest.isEqual(entry.digest(), digest)) {
                found = entry;
            }
        }
        return Optional.ofNullable(found).map(e -> new Operator(e.name(), e.role(), "token"));
    }

    /** A login cookie's value for this operator, valid for the session lifetime. */
    public String session(Operator operator, Instant now) {
        String payload = Base64.getUrlEncoder().withoutPadding().encodeToString(operator.name()
                .getBytes(StandardCharsets.UTF_8)) + "." + now.plus(sessionLifetime).getEpochSecond();
        return payload + "." + mac("session|" + payload);
    }

    /** The operator a login cookie names, if its signature holds and it has not expired. */
    public Optional<Operator> bySession(String cookie, Instant now) {
        if (cookie == null || cookie.length() > 512) {
            return Optional.empty();
        }
        int last = cookie.lastIndexOf('.');
        int first = cookie.indexOf('.');
        if (first <= 0 || last <= first) {
            return Optional.empty();
        }
        String payload = cookie.substring(0, last);
        if (!MessageDigest.isEqual(mac("session|" + payload).getBytes(StandardCharsets.US_ASCII),
                cookie.substring(last + 1).getBytes(StandardCharsets.US_ASCII))) {
            return Optional.empty();
        }
        long expires;
        String name;
        try {
            expires = Long.parseLong(cookie.substring(first + 1, last));
            name = new String(Base64.getUrlDecoder().decode(cookie.substring(0, first)), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            return Optional.empty();
        }
        if (now.getEpochSecond() > expires) {
            return Optional.empty();
        }
        return entries.stream().filter(e -> e.name().equals(name)).findFirst()
                .map(e -> new Operator(e.name(), e.role(), "session"));
    }

    /** The CSRF token that goes with a login cookie: a state-changing call from the dashboard must send it. */
    public String csrfFor(String cookie) {
        return mac("csrf|" + cookie);
    }

    public boolean csrfMatches(String cookie, String csrf) {
        return csrf != null && MessageDigest.isEqual(csrfFor(cookie).getBytes(StandardCharsets.US_ASCII),
                csrf.getBytes(StandardCharsets.US_ASCII));
    }

    public java.time.Duration sessionLifetime() {
        return sessionLifetime;
    }

    /** Names and roles, for the start-up log: never a token. */
    public Map<String, String> summary() {
        Map<String, String> summary = new LinkedHashMap<>();
        entries.forEach(e -> summary.put(e.name(), e.role().name().toLowerCase(java.util.Locale.ROOT)));
        return summary;
    }

    private String mac(String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(sessionKey, "HmacSHA256"));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
