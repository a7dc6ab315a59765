package io.hookline.gateway.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Base64;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Each word a secret is found by, in whatever case it is written, in plain text and inside base64. */
class SecretScrubberTest {

    @ParameterizedTest
    @ValueSource(strings = {"password", "PASSWORD", "PassWord", "pAsSpHrAsE", "PWD", "Pwd", "SECRET", "sEcReT", "TOKEN",
        "ToKeN", "API_KEY", "Api-Key", "apiKEY", "CREDENTIALS", "cReDeNtIaL"})
    void aSecretsNameIsFoundInAnyCase(String name) {
        String text = "run 7 failed: " + name + "=hunter2hunter2 given";
        String scrubbed = SecretScrubber.scrub(text);
        assertEquals("run 7 failed: " + name + "=*** given", scrubbed);
        String wrapped = Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of(), Leaks.find(SecretScrubber.scrubDeep("q=" + wrapped), "hunter2hunter2"), name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Authorization: BEARER abcdefgh12345678", "auth Basic abcdefgh12345678",
        "fetch HTTPS://backup:abcdefgh12345678@nas.local/share"})
    void aCredentialAfterASchemeOrInAUrlIsFoundInAnyCase(String text) {
        assertEquals(List.of(), Leaks.find(SecretScrubber.scrub(text), "abcdefgh12345678"), text);
    }
}
