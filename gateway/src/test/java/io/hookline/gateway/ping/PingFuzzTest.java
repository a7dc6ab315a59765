package io.hookline.gateway.ping;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * A ping's last path segment and its body as a fuzzer writes them: the signal is one of success, start, fail, log
 * or an exit status 0-255, or refused (null, which the endpoint answers with a sentence); the failure message
 * taken from the body is one line of at most 500 characters.
 */
class PingFuzzTest {

    @FuzzTest(maxDuration = "5s")
    void signalsAndLastLinesStayWithinTheirShape(FuzzedDataProvider data) {
        PingHook.Signal signal = PingHook.Signal.parse(data.consumeString(8));
        if (signal != null) {
            assertTrue(signal.exitStatus() == null || signal.exitStatus() >= 0 && signal.exitStatus() <= 255);
        }
        String last = PingHook.lastLine(data.consumeRemainingAsString());
        if (last != null) {
            assertFalse(last.isEmpty() || last.contains("\n"), last);
            assertTrue(last.length() <= 500);
        }
    }
}
