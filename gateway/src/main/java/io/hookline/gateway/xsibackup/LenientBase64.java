package io.hookline.gateway.xsibackup;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * Base64 as it reaches us from the field: standard or URL-safe alphabet, padding present or not, line breaks
 * inside, {@code +} turned into a space by a proxy. Decodes only to valid UTF-8 text.
 */
final class LenientBase64 {

    private LenientBase64() {
    }

    static Optional<String> decodeText(String encoded) {
        if (encoded == null) {
            return Optional.empty();
        }
        StringBuilder normalized = new StringBuilder(encoded.length() + 3);
        for (int i = 0; i < encoded.length(); i++) {
            char c = encoded.charAt(i);
            switch (c) {
                case '\r', '\n', '\t' -> { }
                case ' ', '-' -> normalized.append('+');
                case '_' -> normalized.append('/');
                default -> normalized.append(c);
            }
        }
        int end = normalized.length();
        while (end > 0 && normalized.charAt(end - 1) == '=') {
            end--;
        }
        normalized.setLength(end);
        if (end == 0 || end % 4 == 1) {
            return Optional.empty();
        }
        for (int i = 0; i < end; i++) {
            char c = normalized.charAt(i);
            boolean base64 = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
            if (!base64) {
                return Optional.empty();
            }
        }
        while (normalized.length() % 4 != 0) {
            normalized.append('=');
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(normalized.toString());
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
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
