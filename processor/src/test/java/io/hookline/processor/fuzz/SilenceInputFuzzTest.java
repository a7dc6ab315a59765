package io.hookline.processor.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import io.hookline.processor.match.Glob;
import io.hookline.processor.match.Matchers;
import io.hookline.processor.rules.Rules;
import io.hookline.runtime.time.WeeklyWindow;

/**
 * What a silence request carries (matchers, a duration, a recurring window) through the parsers the API uses:
 * each is accepted or refused with a sentence (an IllegalArgumentException's message), nothing else escapes,
 * and a glob agrees with the regex it replaced on short inputs.
 */
class SilenceInputFuzzTest {

    @FuzzTest(maxDuration = "5s")
    void silenceFieldsAreAcceptedOrRefusedWithASentence(FuzzedDataProvider data) {
        Map<String, String> matchers = new LinkedHashMap<>();
        int count = data.consumeInt(0, 7);
        for (int i = 0; i < count; i++) {
            String key = data.consumeBoolean() ? data.pickValue(Matchers.KEYS.toArray(new String[0])) : data.consumeString(12);
            matchers.put(key, data.consumeString(300));
        }
        try {
            Matchers.of(matchers);
        } catch (IllegalArgumentException refused) {
            assertFalse(refused.getMessage().isBlank());
        }
        Rules.parseDuration(data.consumeString(20));
        String window = data.consumeString(120);
        try {
            WeeklyWindow parsed = WeeklyWindow.parse(window);
            assertNotNull(parsed);
            parsed.contains(ZonedDateTime.now(ZoneId.of("Europe/Berlin")));
        } catch (IllegalArgumentException refused) {
            assertFalse(refused.getMessage().isBlank());
        }
        String pattern = data.consumeString(8);
        String text = data.consumeRemainingAsString();
        if (text.length() <= 40) {
            String regex = Pattern.quote(pattern).replace("*", "\\E.*\\Q").replace("?", "\\E.\\Q");
            assertEquals(Pattern.compile(regex, Pattern.DOTALL).matcher(text).matches(), Glob.of(pattern).matches(text),
                    () -> pattern + " on " + text);
        }
    }
}
