package io.hookline.processor.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.ZoneId;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.hookline.processor.retention.Policy;

/** The retention: section: restic's keys, and every mistake with its line. */
class RetentionRulesTest {

    static void assertProblem(String yaml, String... parts) {
        List<String> problems = assertThrows(RulesException.class, () -> Rules.parse(yaml)).problems();
        assertTrue(problems.stream().anyMatch(p -> java.util.Arrays.stream(parts).allMatch(p::contains)),
                "no problem with " + List.of(parts) + " in " + problems);
    }

    @Test
    void aPolicyIsReadWithEveryKeyAndTheFirstMatchWins() throws Exception {
        Rules rules = Rules.parse("""
                retention:
                  - match: "esxi-prod/*"
                    keep-last: 3
                    keep-daily: 7
                    keep-weekly: 4
                    keep-monthly: 12
                    keep-yearly: unlimited
                    keep-within: 1y6m
                    keep-within-daily: 7d
                    keep-tag: [[monthly, archive], "keep"]
                    time-zone: Europe/Berlin
                    keep-at-least: 2
                  - match: "*"
                    style: borg
                    keep-daily: 14
                """);
        RetentionRule esxi = rules.retentionFor("esxi-prod/esxi01/04").orElseThrow();
        Policy p = esxi.policy();
        assertEquals(List.of(3, 7, 4, 12, Policy.UNLIMITED), List.of(p.last(), p.daily(), p.weekly(), p.monthly(),
                p.yearly()));
        assertEquals("1y6m", p.within().toString());
        assertEquals("7d", p.withinDaily().toString());
        assertEquals(List.of(List.of("monthly", "archive"), List.of("keep")), p.tags());
        assertEquals(ZoneId.of("Europe/Berlin"), p.zone());
        assertEquals(2, esxi.keepAtLeast());
        assertEquals(Policy.Style.BORG, rules.retentionFor("pve/vzdump").orElseThrow().policy().style());
    }

    @Test
    void mistakesNameTheirLine() {
        assertProblem("""
                retention:
                  - match: "a/*"
                """, "line 2", "keeps nothing");
        assertProblem("""
                retention:
                  - match: "a/*"
                    keep-daily: seven
                """, "line 3", "'seven' is not a count");
        assertProblem("""
                retention:
                  - match: "a/*"
                    keep-within: 2 weeks
                """, "line 3", "'2 weeks' is not a duration like 2y5m7d3h", "m is months");
        assertProblem("""
                retention:
                  - match: "a/*"
                    style: borg
                    keep-within-daily: 7d
                """, "line 4", "keep-within-daily is restic's");
        assertProblem("""
                retention:
                  - match: "a/*"
                    keep-daily: 7
                    keep-at-least: 0
                """, "line 4", "keep-at-least is at least 1");
        assertProblem("""
                retention:
                  - match: "a/*"
                    keep-daily: 7
                    style: zfs
                """, "line 4", "not 'zfs'");
        assertProblem("""
                retention:
                  - keep-daily: 7
                """, "line 2", "needs match");
        assertProblem("""
                retention:
                  - match: "a/*"
                    keep-daily: -9223372036854775808
                """, "line 3", "is not a count");
        assertProblem("""
                retention:
                  - match: "a/*"
                    keep-within: 99999999999999999999d
                """, "line 3", "a number too large");
        assertProblem("""
                retention:
                  - match: "a/*"
                    keep-daily: 1
                    keep-tag: [["%s"]]
                """.formatted("t".repeat(10_000)), "line 4", "a tag is at most 256 characters");
        assertProblem("""
                retention:
                  - match: "a/*"
                    keep-dayly: 7
                """, "line 3", "unknown key 'keep-dayly'");
        assertProblem("""
                retention:
                  - match: "a/*"
                    keep-daily: 7
                    enforce: true
                """, "line 4", "enforce: true needs prune: {agent: <agent>, action: <its prune action>}");
        assertProblem("""
                retention:
                  - match: "a/*"
                    keep-daily: 7
                    enforce: true
                    prune: {agent: esxi01}
                """, "line 5", "needs action:");
        assertProblem("""
                retention:
                  - match: "a/*"
                    keep-daily: 7
                    enforce: true
                    prune: {webhook: nowhere}
                """, "line 5", "webhook: 'nowhere' is not a receiver");
        assertProblem("""
                retention:
                  - match: "a/*"
                    keep-daily: 7
                    prune: {agent: esxi01, action: rm, parameters: {restore-point: "/"}}
                """, "line 4", "parameter 'restore-point' is given by Hookline");
    }

    @Test
    void anEnforcedPolicyNamesWherePrunesGo() throws Exception {
        Rules rules = Rules.parse("""
                receivers:
                  - name: backup-api
                    type: webhook
                    url: https://backup-api.example.org/prune
                retention:
                  - match: "esxi-prod/*"
                    keep-daily: 7
                    enforce: true
                    prune: {agent: esxi01, action: prune-xsibackup, parameters: {root: /vmfs/volumes/backup}}
                  - match: "restic/*"
                    keep-last: 10
                    enforce: true
                    prune: {webhook: backup-api}
                  - match: "*"
                    keep-last: 3
                    prune: {agent: nas01, action: prune}
                """);
        RetentionRule esxi = rules.retentionFor("esxi-prod/nightly").orElseThrow();
        assertTrue(esxi.enforce());
        assertEquals("esxi01/prune-xsibackup", esxi.prune().jobKey());
        assertEquals("/vmfs/volumes/backup", esxi.prune().parameters().get("root"));
        assertEquals("retention:esxi-prod/*", esxi.ruleName());
        RetentionRule restic = rules.retentionFor("restic/nas01").orElseThrow();
        assertTrue(restic.prune().isWebhook());
        assertEquals("webhook/backup-api", restic.prune().jobKey());
        RetentionRule other = rules.retentionFor("pve/vzdump").orElseThrow();
        assertTrue(!other.enforce(), "prune: without enforce: true reports only");
    }
}
