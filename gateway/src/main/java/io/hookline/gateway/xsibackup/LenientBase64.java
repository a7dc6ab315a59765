package io.hookline.gateway.xsibackup;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * Base64 as it reaches us from the field: standard or URL-safe alphabet, padding present or not, line breaks
 * inside, {@code +} turned into a space by a proxy. Decodes only to valid UTF-8 text.
 */
final class LenientBase64 {

    /** Each character's six bits; a space is a '+' a proxy turned into one. -1: not base64, -2: skipped. */
    private static final byte[] SEXTET = new byte[128];

    static {
        Arrays.fill(SEXTET, (byte) -1);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (int i = 0; i < alphabet.length(); i++) {
            SEXTET[alphabet.charAt(i)] = (byte) i;
        }
        SEXTET[' '] = 62;
        SEXTET['-'] = 62;
        SEXTET['_'] = 63;
        SEXTET['\r'] = -2;
        SEXTET['\n'] = -2;
        SEXTET['\t'] = -2;
    }

    private LenientBase64() {
    }

    /**
     * The text, or empty when it is not base64 of UTF-8 text. Every hook's query and its cmd and err fields come
     * through here: one pass into bytes, no copies of the text on the way (the gateway's profile had this at a
     * twentieth of its time when it normalized the text into a builder for the JDK's decoder).
     */
    static Optional<String> decodeText(String encoded) {
        if (encoded == null) {
            return Optional.empty();
        }
        // Trailing padding ends the data, with line breaks around it; '=' anywhere else is not base64.
        int end = encoded.length();
        while (end > 0 && skippedOrPadding(encoded.charAt(end - 1))) {
            end--;
        }
        byte[] bytes = new byte[end / 4 * 3 + 2];
        int length = 0;
        int bits = 0;
        int sextets = 0;
        for (int i = 0; i < end; i++) {
            char c = encoded.charAt(i);
            int value = c < 128 ? SEXTET[c] : -1;
            if (value == -2) {
                continue;
            }
            if (value < 0) {
                return Optional.empty();
            }
            bits = bits << 6 | value;
            if (++sextets % 4 == 0) {
                bytes[length++] = (byte) (bits >> 16);
                bytes[length++] = (byte) (bits >> 8);
                bytes[length++] = (byte) bits;
                bits = 0;
            }
        }
        switch (sextets % 4) {
            case 1 -> {
                return Optional.empty();
            }
            case 2 -> bytes[length++] = (byte) (bits >> 4);
            case 3 -> {
                bytes[length++] = (byte) (bits >> 10);
                bytes[length++] = (byte) (bits >> 2);
            }
            default -> { }
        }
        if (sextets == 0) {
            return Optional.empty();
        }
        return text(bytes, length);
    }

    private static boolean skippedOrPadding(char c) {
        return c == '=' || c == '\r' || c == '\n' || c == '\t';
    }

    /** The bytes as UTF-8 text, or empty when they are not valid UTF-8 or not text. */
    private static Optional<String> text(byte[] bytes, int length) {
        boolean ascii = true;
        for (int i = 0; i < length; i++) {
            byte b = bytes[i];
            if (b < 0) {
                ascii = false;
                break;
            }
            if (b < 0x20 && b != '\n' && b != '\r' && b != '\t' || b == 0x7F) {
                return Optional.empty();
            }
        }
        if (ascii) {
            return Optional.of(new String(bytes, 0, length, StandardCharsets.ISO_8859_1));
        }
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, 0, length)).toString();
            return isText(text) ? Optional.of(text) : Optional.empty();
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    /** Printable text with ordinary white space: random bytes that happen to be valid UTF-8 are not. */
    private static boolean isText(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c) && c != '\n' && c != '\r' && c != '\t') {
                return false;
            }
        }
        return true;
    }
}
