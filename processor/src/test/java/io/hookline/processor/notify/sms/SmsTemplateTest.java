package io.hookline.processor.notify.sms;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** An SMS gateway's template filled with hostile text: each value stays inside the place it was put. */
class SmsTemplateTest {

    static final String HOSTILE = "x\",\"to\":\"+1900555\",\"a\":\"\ttab {{to}} &to=+1900 \u0007bell\r\nline";

    static Map<String, String> values() {
        return Map.of("to", "+4915112345678", "text", HOSTILE, "text_json", SmsNotifier.json(HOSTILE),
                "text_url", java.net.URLEncoder.encode(HOSTILE, java.nio.charset.StandardCharsets.UTF_8),
                "alert_key", "esxi/x\"y");
    }

    @Test
    void aJsonBodyGetsJsonEscapedValuesEvenFromThePlainTextPlaceholder() throws Exception {
        String body = SmsNotifier.fill("{\"to\":\"{{to}}\",\"text\":\"{{text}}\",\"key\":\"{{alert_key}}\"}", values(),
                SmsNotifier.Place.JSON);
        JsonNode parsed = new ObjectMapper().readTree(body);
        List<String> fields = new ArrayList<>();
        parsed.fieldNames().forEachRemaining(fields::add);
        assertEquals(List.of("to", "text", "key"), fields);
        assertEquals("+4915112345678", parsed.path("to").asText());
        assertEquals(HOSTILE, parsed.path("text").asText(), "the text arrives whole, tab and all, and {{to}} unfilled");
        assertEquals("esxi/x\"y", parsed.path("key").asText());
    }

    @Test
    void aUrlGetsEncodedValuesAndAPlainBodyOneLine() {
        String url = SmsNotifier.fill("https://sms.example/send?to={{to}}&msg={{text}}", values(), SmsNotifier.Place.URL);
        assertEquals(-1, url.indexOf(' '));
        assertEquals(2, url.split("&").length, "the text cannot add a parameter: " + url);
        String plain = SmsNotifier.fill("{{text}}", values(), SmsNotifier.Place.TEXT);
        assertEquals(-1, plain.indexOf('\n'));
        assertEquals(-1, plain.indexOf('\t'));
    }
}
