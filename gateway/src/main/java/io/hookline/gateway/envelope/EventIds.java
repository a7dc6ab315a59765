package io.hookline.gateway.envelope;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

/**
 * Event ids. A retry is recognised by a key the caller sends with every retry of one call (the
 * {@code Idempotency-Key} header, a CloudEvent's source and id), never by the hook's content: two nights of
 * the same EndScript, or a PID the host reuses months later, look alike but are different runs. A call without
 * a key gets a random id and is never merged with another. Stable ids are UUIDs (version 8, SHA-256 based).
 */
public final class EventIds {

    private EventIds() {
    }

    public static String stable(String... parts) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String part : parts) {
                byte[] bytes = (part == null ? "" : part).getBytes(StandardCharsets.UTF_8);
                sha.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
                sha.update(bytes);
            }
            ByteBuffer hash = ByteBuffer.wrap(sha.digest());
            long high = (hash.getLong() & ~0xF000L) | 0x8000L;
            long low = (hash.getLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
            return new UUID(high, low).toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The id of one call: derived from the caller's idempotency key within its source, or random without one. */
    public static String forCall(String sourceName, String idempotencyKey) {
        return idempotencyKey == null ? random() : stable("idempotency-key", sourceName, idempotencyKey);
    }

    public static String random() {
        return UUID.randomUUID().toString();
    }
}
