package io.hookline.runtime.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class RequestTargetsTest {

    @Test
    void aTargetJavaParsesHasNoMalformation() {
        assertNull(RequestTargets.malformation("/hooks/xsibackup/tok/success?UElEPTEyMw=="));
        assertNull(RequestTargets.malformation("/ping/tok/db%20one?rid=1&x=%2F"));
    }

    @Test
    void aMalformationSaysWhatAndWhereWithoutTheTarget() {
        String target = "/hooks/xsibackup/secret-token/success?%%%";
        assertEquals("malformed escape pair at character 39", RequestTargets.malformation(target));
        assertEquals("illegal character in query at character 7", RequestTargets.malformation("/a?b=c|d"));
        assertFalse(RequestTargets.malformation("/secret-token/{x}").contains("secret-token"));
    }

    @Test
    void whatTheQuickCheckPassesJavaParsesAndOrdinaryHooksPassIt() {
        String alphabet = "aZ09-._~!$&'()*+,;=:@/?%%fFgG#[]{}| \"<>\\^`\u00e9\u20ac\ud83d";
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        int passed = 0;
        for (int round = 0; round < 300_000; round++) {
            StringBuilder target = new StringBuilder(random.nextInt(4) == 0 ? "" : "/");
            for (int i = random.nextInt(10); i > 0; i--) {
                target.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String text = target.toString();
            if (RequestTargets.plainlyValid(text)) {
                passed++;
                try {
                    new java.net.URI(text);
                } catch (java.net.URISyntaxException e) {
                    throw new AssertionError("passed the quick check but Java refuses " + text + ": " + e.getMessage());
                }
            }
        }
        assertTrue(passed > 10_000, "the random targets must exercise the quick check: " + passed);
        for (String ordinary : List.of("/hooks/xsibackup/tok-123/success?UElEPTEyM3x0PTM0N3w=", "/ping/tok/db-1/start",
                "/ping/0b5a1c2e-0000-4000-8000-000000000000/fail?rid=a%2Fb", "/events/tok", "/q/metrics",
                "/api/jobs?status=failed&host=esxi01&limit=50", "/api/jobs/esxi-prod/esxi01/backup%20one")) {
            assertTrue(RequestTargets.plainlyValid(ordinary), ordinary);
        }
        assertFalse(RequestTargets.plainlyValid("/a?%%%"));
        assertFalse(RequestTargets.plainlyValid("//evil/x"));
    }
}
