package io.hookline.processor.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.hookline.processor.chains.ChainLogic;

/** What the chains: section accepts, and what it refuses with the line an operator has to fix. */
class ChainRulesTest {

    static List<String> problems(String yaml) {
        return assertThrows(RulesException.class, () -> Rules.parse(yaml)).problems();
    }

    static void assertProblem(List<String> problems, String... parts) {
        assertTrue(problems.stream().anyMatch(p -> java.util.Arrays.stream(parts).allMatch(p::contains)),
                "no problem with " + List.of(parts) + " in " + problems);
    }

    @Test
    void aFullRuleIsReadWithEveryOption() throws Exception {
        Rules rules = Rules.parse("""
                chains:
                  - name: offsite
                    when: {job: "esxi-prod/*", on: [succeeded, exit-code 3]}
                    delay: 5m
                    window: {not-before: "01:00", not-after: "05:00", time-zone: Europe/Berlin}
                    expire-after: 2h
                    max-depth: 3
                    run:
                      - {agent: nas01, action: restic-copy, job: offsite-copy, parameters: {repo: "s3:offsite"}}
                """);
        Chain chain = rules.chains().get(0);
        assertEquals("offsite", chain.name());
        assertEquals(Duration.ofMinutes(5), chain.delay());
        assertEquals(Duration.ofHours(2), chain.expireAfter());
        assertEquals(3, chain.maxDepth());
        assertEquals(LocalTime.of(1, 0), chain.window().notBefore());
        assertEquals(ZoneId.of("Europe/Berlin"), chain.window().zone());
        assertEquals("nas01/offsite-copy", chain.actions().get(0).jobKey());
        assertEquals("s3:offsite", chain.actions().get(0).parameters().get("repo"));
        assertEquals("succeeded or exit-code 3", chain.upstream().get(0).on());
    }

    @Test
    void aRuleThatTriggersItselfOrAnotherInACircleIsRefusedNamingEveryRule() {
        assertProblem(problems("""
                chains:
                  - name: again
                    when: {job: "nas01/*", on: finished}
                    run: [{agent: nas01, action: copy}]
                """), "line 2", "circle", "again (line 2) -> again");
        assertProblem(problems("""
                chains:
                  - name: a
                    when: {job: "esxi/nightly", on: succeeded}
                    run: [{agent: nas01, action: copy}]
                  - name: b
                    when: {job: "nas01/copy", on: succeeded}
                    run: [{agent: esxi, action: run-nightly, job: nightly}]
                """), "circle", "a (line 2) -> b (line 5) -> a");
    }

    @Test
    void unknownJobsAreAllowedBecauseJobsAppearWithTheirFirstHook() throws Exception {
        Rules rules = Rules.parse("""
                chains:
                  - name: later
                    after:
                      - {job: "not-yet/seen", on: succeeded}
                      - {job: "neither/this", on: failed}
                    run: [{agent: nas01, action: copy}]
                """);
        assertTrue(rules.chains().get(0).fanIn());
        assertEquals(Duration.ofHours(24), rules.chains().get(0).within());
    }

    @Test
    void mistakesNameTheirLine() {
        assertProblem(problems("""
                chains:
                  - name: x
                    when: {job: "a/b", on: succeded}
                    run: [{agent: nas01, action: copy}]
                """), "line 3", "'succeded' is not one of");
        assertProblem(problems("""
                chains:
                  - when: {job: "a/b", on: succeeded}
                    run: [{agent: nas01, action: copy}]
                """), "line 2", "needs name");
        assertProblem(problems("""
                chains:
                  - name: x
                    when: {job: "a/b", on: succeeded}
                    after: [{job: "c/d", on: failed}, {job: "e/f", on: failed}]
                    run: [{agent: nas01, action: copy}]
                """), "line 2", "either when");
        assertProblem(problems("""
                chains:
                  - name: x
                    when: {job: "a/b", on: succeeded}
                    window: {not-before: "25:00"}
                    run: [{agent: nas01, action: copy}]
                """), "line 4", "'25:00' is not a time of day");
        assertProblem(problems("""
                chains:
                  - name: x
                    when: {job: "a/b", on: succeeded}
                    run: [{agent: nas01, action: copy, parameters: {job: other}}]
                """), "line 4", "'job' is given by Hookline");
        assertProblem(problems("""
                chains:
                  - name: x
                    when: {job: "a/b", on: succeeded}
                    run: [{agent: "nas 01", action: copy}]
                """), "line 4", "'nas 01' is not a name");
        assertProblem(problems("""
                chains:
                  - name: x
                    when: {job: "a/b", on: succeeded}
                    run: [{agent: nas01, action: copy, parameters: {repo: "%s"}}]
                """.formatted("s".repeat(2_000))), "line 4", "at most 1024 characters");
        assertProblem(problems("""
                chains:
                  - name: %s
                    when: {job: "a/b", on: succeeded}
                    run: [{agent: nas01, action: copy}]
                """.formatted("n".repeat(10_000))), "line 2", "is not a name");
        assertProblem(problems("""
                chains:
                  - name: x
                    when: {job: "a/b", on: exit-code two}
                    run: [{agent: nas01, action: copy}]
                """), "line 3", "'two'", "is not an exit code");
        assertProblem(problems("""
                chains:
                  - name: x
                    when: {job: "a/b", on: succeeded}
                    run: [{agent: nas01, action: agent}]
                """), "line 4", "'agent' is the job of the agent's own polls");
        assertProblem(problems("""
                chains:
                  - name: x
                    when: {job: "a/b", on: succeeded}
                    run: [{agent: nas01, action: copy}]
                  - name: x
                    when: {job: "c/d", on: succeeded}
                    run: [{agent: nas01, action: copy2}]
                """), "line 5", "'x' is already defined");
        assertProblem(problems("""
                chains:
                  - name: x
                    when: {job: "a/b", on: succeeded}
                    run: []
                """), "line 4", "lists no action");
        assertProblem(problems("""
                chains:
                  - name: x
                    after: [{job: "a/b", on: succeeded}]
                    run: [{agent: nas01, action: copy}]
                """), "line 3", "at least two");
    }

    @Test
    void aWebhookActionNamesAWebhookReceiver() throws Exception {
        Rules rules = Rules.parse("""
                receivers:
                  - {name: ci, type: webhook, url: "https://ci.example.org/hooks/hookline"}
                  - {name: ops-mail, type: email, to: ops@example.org, from: hookline@example.org, host: smtp.example.org}
                chains:
                  - name: build
                    when: {job: "a/b", on: succeeded}
                    run: [{webhook: ci}]
                """);
        assertEquals("webhook/ci", rules.chains().get(0).actions().get(0).jobKey());
        assertProblem(problems("""
                receivers:
                  - {name: ops-mail, type: email, to: ops@example.org, from: hookline@example.org, host: smtp.example.org}
                chains:
                  - name: build
                    when: {job: "a/b", on: succeeded}
                    run: [{webhook: ops-mail}, {webhook: jenkins}]
                """), "line 6", "receiver 'ops-mail' is of type email");
        assertProblem(problems("""
                chains:
                  - name: build
                    when: {job: "a/b", on: succeeded}
                    run: [{webhook: jenkins}]
                """), "line 4", "'jenkins' is not a receiver");
        assertProblem(problems("""
                chains:
                  - name: build
                    when: {job: "a/b", on: succeeded}
                    run: [{webhook: jenkins, agent: nas01, action: copy}]
                """), "line 4", "either agent");
    }

    @Test
    void aWindowMovesTheDeliveryToItsOpeningAndItsClosingEndsTheCommandsLife() throws Exception {
        Chain chain = Rules.parse("""
                chains:
                  - name: night
                    when: {job: "a/b", on: succeeded}
                    delay: 10m
                    window: {not-before: "22:00", not-after: "04:00", time-zone: Europe/Berlin}
                    expire-after: 12h
                    run: [{agent: nas01, action: copy}]
                """).chains().get(0);
        // 15:00 in Berlin (UTC+1 in December): wait for 22:00, expire at 04:00 when the window closes.
        Instant afternoon = Instant.parse("2026-12-01T14:00:00Z");
        assertEquals(Instant.parse("2026-12-01T21:00:00Z"), ChainLogic.notBefore(chain, afternoon));
        assertEquals(Instant.parse("2026-12-02T03:00:00Z"), ChainLogic.expiresAt(chain, afternoon));
        // 01:00 in Berlin is inside the wrapped window: the delay alone counts.
        Instant night = Instant.parse("2026-12-02T00:00:00Z");
        assertEquals(Instant.parse("2026-12-02T00:10:00Z"), ChainLogic.notBefore(chain, night));
    }
}
