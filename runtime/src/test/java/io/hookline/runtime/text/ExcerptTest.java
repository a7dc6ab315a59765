package io.hookline.runtime.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.CharBuffer;
import org.junit.jupiter.api.Test;

class ExcerptTest {

    @Test
    void aShortTextIsQuotedWholeALongOneCutWithAnEllipsis() {
        assertNull(Excerpt.quoted(null));
        assertEquals("", Excerpt.quoted(""));
        assertEquals("x".repeat(41), Excerpt.quoted("x".repeat(41)));
        assertEquals("x".repeat(40) + "\u2026", Excerpt.quoted("x".repeat(42)));
        assertEquals("abcd\u2026", Excerpt.of("abcdefgh", 5));
        assertEquals(5, Excerpt.of("abcdefgh", 5).length());
    }

    @Test
    void aCutNeverLeavesHalfACharacter() throws CharacterCodingException {
        String emoji = "\uD83D\uDCBE"; // a floppy disk: two UTF-16 units
        for (int max = 2; max < 12; max++) {
            for (int shift = 0; shift < 2; shift++) {
                String text = "a".repeat(shift) + emoji.repeat(10);
                assertWellFormed(Excerpt.of(text, max));
                assertTrue(Excerpt.of(text, max).length() <= max, Excerpt.of(text, max));
                assertWellFormed(Excerpt.withLength(text, max));
            }
        }
        assertEquals("a\u2026", Excerpt.of("a" + emoji + emoji, 3));
        assertEquals("a" + emoji + "\u2026", Excerpt.of("a" + emoji + emoji, 4));
    }

    @Test
    void aPathMegabytesLongIsCutAndSaysItsLength() {
        String path = "/" + "a".repeat(2 * 1024 * 1024);
        String said = Excerpt.withLength(path, 200);
        assertEquals(path.substring(0, 200) + "\u2026 (2097153 characters)", said);
        assertEquals("/short", Excerpt.withLength("/short", 200));
        assertNull(Excerpt.withLength(null, 200));
    }

    @Test
    void anotherEllipsisCountsWithinTheLength() throws CharacterCodingException {
        assertEquals("abcd...", Excerpt.of("abcdefghij", 7, "..."));
        assertEquals("a...", Excerpt.of("a\uD83D\uDCBE\uD83D\uDCBE\uD83D\uDCBE", 5, "..."));
        assertWellFormed(Excerpt.of("a\uD83D\uDCBE\uD83D\uDCBE", 5, "..."));
        assertEquals("...", Excerpt.of("abcdefghij", 2, "..."));
    }

    static void assertWellFormed(String text) throws CharacterCodingException {
        StandardCharsets.UTF_8.newEncoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).encode(CharBuffer.wrap(text));
    }
}
