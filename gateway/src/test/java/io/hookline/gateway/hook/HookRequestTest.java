package io.hookline.gateway.hook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class HookRequestTest {

    /** Characters from every UTF-8 length, with surrogates paired, alone, and in the wrong order. */
    private static final char[] ALPHABET = {'a', '%', '\u007f', '\u0080', '\u00e9', '\u07ff', '\u0800', '\u20ac',
        '\uffff', '\ud83d', '\ude00', '\ud800', '\udfff'};

    @Test
    void aHooksSizeInUtf8IsWhatEncodingItGives() {
        SplittableRandom random = new SplittableRandom(42);
        for (int round = 0; round < 200_000; round++) {
            char[] text = new char[random.nextInt(12)];
            for (int i = 0; i < text.length; i++) {
                text[i] = ALPHABET[random.nextInt(ALPHABET.length)];
            }
            String string = new String(text);
            assertEquals(string.getBytes(StandardCharsets.UTF_8).length, HookRequest.utf8Length(string), () ->
                    string.chars().mapToObj(c -> String.format("\\u%04x", c)).reduce("", String::concat));
        }
        assertEquals(0, HookRequest.utf8Length(null));
        HookRequest request = new HookRequest("POST", "/ping/x", "a=\u00e9", java.util.Map.of(), "\ud83d\ude00", null);
        assertEquals(4 + 4, request.contentBytes());
    }
}
