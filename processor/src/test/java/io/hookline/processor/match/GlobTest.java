package io.hookline.processor.match;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Random;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

class GlobTest {

    @Test
    void starsAndQuestionMarksMeanWhatTheyMeanInAShell() {
        assertTrue(Glob.of("esxi-prod/*").matches("esxi-prod/esxi01/04"));
        assertTrue(Glob.of("*/04").matches("esxi-prod/esxi01/04"));
        assertTrue(Glob.of("esxi-*/*/0?").matches("esxi-prod/esxi01/04"));
        assertTrue(Glob.of("*").matches(""));
        assertTrue(Glob.of("").matches(""));
        assertFalse(Glob.of("").matches("x"));
        assertFalse(Glob.of("esxi-prod/*").matches("esxi-lab/1"));
        assertFalse(Glob.of("a*b*c").matches("acb"));
        assertTrue(Glob.of("a*b*c").matches("aXbYc"));
        assertFalse(Glob.of("ab*ab").matches("ab"), "head and tail may not overlap");
        assertTrue(Glob.of("ab*ab").matches("abab"));
        assertFalse(Glob.of("?").matches(""));
        assertTrue(Glob.of("a.b").matches("a.b"));
        assertFalse(Glob.of("a.b").matches("axb"), "a dot is a dot, not a regex");
    }

    @Test
    void itAgreesWithTheRegexItReplacesOnAHundredThousandRandomCases() {
        Random random = new Random(42);
        String alphabet = "ab*?";
        for (int i = 0; i < 100_000; i++) {
            String pattern = randomText(random, alphabet, 6);
            String text = randomText(random, "ab", 8);
            String regex = pattern.replace("?", ".").replace("*", ".*");
            assertEquals(Pattern.matches(regex, text), Glob.of(pattern).matches(text), pattern + " on " + text);
        }
    }

    @Test
    void thirtyStarsAndABangOnAFourThousandCharacterKeyEndsAtOnce() {
        Glob pathological = Glob.of("*".repeat(30) + "!");
        String key = "a".repeat(4_000);
        // A guard against backtracking, which would take centuries here; not a measurement (bench/ measures).
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertFalse(pathological.matches(key)));
        assertTrue(Glob.of("*a*a*a*a*a*a*a*a*a*a*!").matches(key + "!"));
    }

    @Test
    void aGlobLongerThanTheLimitIsRefusedWithItsLength() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> Glob.of("x".repeat(300)));
        assertEquals("the pattern is 300 characters long; at most 256", refused.getMessage());
    }

    static String randomText(Random random, String alphabet, int maxLength) {
        StringBuilder text = new StringBuilder();
        int length = random.nextInt(maxLength + 1);
        for (int i = 0; i < length; i++) {
            text.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return text.toString();
    }
}
