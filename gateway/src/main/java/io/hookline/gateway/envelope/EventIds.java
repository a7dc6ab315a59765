package io.hookline.gateway.envelope;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.UUID;

/**
 * Event ids. A retry is recognised by a key the caller sends with every retry of one call (the
 * {@code Idempotency-Key} header, a CloudEvent's source and id), never by the hook's content: two nights of
 * the same EndScript, or a PID the host reuses months later, look alike but are different runs. A call without
 * a key gets a random id and is never merged with another. Stable ids are UUIDs (version 8, SHA-256 based), random
 * ones version 4.
 */
public final class EventIds {

    /**
     * Each thread's own generator of random ids, seeded once from the JDK's default {@link SecureRandom} (the
     * operating system's entropy). {@link UUID#randomUUID} shares one generator behind one lock among all threads:
     * with both event loops making ids it took 0.4–1.8 µs an id (bench/parsing), about 3 % of the gateway's CPU
     * per hook in a profile; each thread's own takes 0.1–0.2 µs. SHA1PRNG keeps 160 bits of state, each thread's
     * seeded with 256 bits of its own: two ids meet no more often than UUID.randomUUID's.
     */
    private static final SecureRandom SEEDS = new SecureRandom();
    private static final ThreadLocal<SecureRandom> RANDOM = ThreadLocal.withInitial(EventIds::generator);

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

    /** A random UUID (version 4, as {@link UUID#randomUUID} makes them). */
    public static String random() {
        byte[] bytes = new byte[16];
        RANDOM.get().nextBytes(bytes);
        bytes[6] = (byte) (bytes[6] & 0x0f | 0x40);
        bytes[8] = (byte) (bytes[8] & 0x3f | 0x80);
        ByteBuffer uuid = ByteBuffer.wrap(bytes);
        return new UUID(uuid.getLong(), uuid.getLong()).toString();
    }

    private static SecureRandom generator() {
        try {
            SecureRandom generator = SecureRandom.getInstance("SHA1PRNG");
            // Seeded before its first use, it takes this seed only (from /dev/urandom through the JDK's default),
            // and never blocks reading /dev/random on a host short of entropy.
            byte[] seed = new byte[32];
            SEEDS.nextBytes(seed);
            generator.setSeed(seed);
            return generator;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
