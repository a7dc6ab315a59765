package io.hookline.gateway.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import io.hookline.gateway.secrets.Leaks;
import io.hookline.gateway.secrets.SecretScrubber;

/**
 * Free text as a refused request keeps it (a body, a query, a log line), with a secret planted in each form the
 * scrubber knows, wrapped in base64 and percent-encoding a fuzzer chooses: none survives in any decoding.
 */
class SecretScrubberFuzzTest {

    static final String SECRET = "Pl4nt3dTextSecret";
    static final List<String> FORMS = List.of("--smtp-pwd=%s", "--password %s", "password=%s", "\"apiToken\": \"%s\"",
            "token: %s", "https://backup:%s@nas.local/share", "Authorization: Bearer %s", "PGPASSWORD=%s",
            "db_password='%s'");

    @FuzzTest(maxDuration = "5s")
    void aPlantedSecretSurvivesNoEncoding(FuzzedDataProvider data) {
        String before = data.consumeString(150);
        String after = data.consumeString(150);
        String form = data.pickValue(FORMS);
        int layers = data.consumeInt(0, 3);
        boolean percent = data.consumeBoolean();
        String outside = data.consumeRemainingAsString();
        for (String typed : List.of(before, after, outside)) {
            if (!Leaks.find(typed, SECRET).isEmpty()) {
                return;
            }
        }
        String text = before + " " + form.formatted(SECRET) + " " + after;
        for (int i = 0; i < layers; i++) {
            text = Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
        }
        if (percent) {
            text = URLEncoder.encode(text, StandardCharsets.UTF_8);
        }
        String written = SecretScrubber.scrubDeep(outside + " " + text + " " + outside);
        assertEquals(List.of(), Leaks.find(written, SECRET), () -> written.length() > 2000 ? written.substring(0, 2000) : written);
    }
}
