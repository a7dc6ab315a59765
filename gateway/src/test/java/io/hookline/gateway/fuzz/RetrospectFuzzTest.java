package io.hookline.gateway.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import io.hookline.gateway.envelope.EventBounds;
import io.hookline.gateway.envelope.Figures;
import io.hookline.gateway.hook.RawCapture;
import io.hookline.gateway.hook.FormBody;
import io.hookline.gateway.hook.HookRequest;
import io.hookline.gateway.retrospect.RetrospectFuzzing;
import io.hookline.gateway.secrets.Leaks;
import io.hookline.gateway.source.Source;
import io.hookline.schema.BackupEvent;
import io.hookline.schema.SourceKind;

/**
 * What the RetroEventHandler shim sends (a form of event, args and host), with event names, arguments and locale
 * dates a fuzzer makes: an event that passes the envelope's checks or a refusal, never an exception, and a
 * password planted in an error message reaches no record.
 */
class RetrospectFuzzTest {

    static final Source SOURCE = new Source("retro-office", SourceKind.RETROSPECT, "OK", ZoneId.of("America/New_York"));
    static final String SECRET = "Pl4nt3dRetroSecret";
    static final List<String> EVENTS = List.of("StartApp", "EndApp", "StartBackupServer", "StopBackupServer",
            "StartScript", "EndScript", "StartSource", "EndSource", "MediaRequest", "TimedOutMediaRequest",
            "ScriptCheckFailed", "NextExec", "StopSched", "SchedStop", "PasswordEntry", "FatalBackupError",
            "AnomalyAlert");

    @FuzzTest(maxDuration = "5s")
    void everyCallIsAnEventOrARefusalAndNeverLeaksThePassword(FuzzedDataProvider data) {
        String event = data.consumeBoolean() ? data.pickValue(EVENTS) : data.consumeString(30);
        int count = data.consumeInt(0, 20);
        List<String> arguments = new ArrayList<>();
        int secretAt = data.consumeInt(0, 20);
        for (int i = 0; i < count; i++) {
            String argument = data.consumeString(60);
            if (!Leaks.find(argument, SECRET).isEmpty()) {
                return;
            }
            arguments.add(i == secretAt ? argument + " password=" + SECRET + " " : argument);
        }
        String host = data.consumeString(40);
        String junk = data.consumeRemainingAsString();
        if (!Leaks.find(event + host + junk, SECRET).isEmpty()) {
            return;
        }
        StringBuilder body = new StringBuilder("event=").append(encode(event));
        arguments.forEach(a -> body.append("&arg=").append(encode(a)));
        body.append("&host=").append(encode(host)).append(junk);

        FormBody form = FormBody.parse(body.toString());
        HookRequest request = new HookRequest("POST", "/hooks/retrospect/***", null, Map.of(), body.toString(), "10.0.0.2");
        BackupEvent mapped = RetrospectFuzzing.toEvent(SOURCE, form.first("event") == null ? "" : form.first("event"),
                form.all("arg"), form.first("host"), Instant.now(), RawCapture.of(request, 16_384));
        BackupEvent bounded = EventBounds.apply(mapped);
        Figures.check(bounded).ifPresent(problem -> assertFalse(problem.isBlank()));
        assertEquals(List.of(), Leaks.find(bounded.toString(), SECRET), () -> bounded.toString());
    }

    static String encode(String text) {
        return java.net.URLEncoder.encode(text, java.nio.charset.StandardCharsets.UTF_8);
    }
}
