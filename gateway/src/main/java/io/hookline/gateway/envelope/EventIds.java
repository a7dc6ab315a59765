package io.hookline.gateway.envelope;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

/**
 * Event ids derived from what identifies a hook, so that the same hook sent twice gets the same id and the
 * processor recognises the retry. Formatted as a UUID (version 8, SHA-256 based).
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

    public static String random() {
        return UUID.randomUUID().toString();
    }
}
