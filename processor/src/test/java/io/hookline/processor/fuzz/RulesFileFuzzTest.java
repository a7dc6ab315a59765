package io.hookline.processor.fuzz;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import io.hookline.processor.rules.Rules;
import io.hookline.processor.rules.RulesException;

/**
 * The rules file, as an operator (or a fuzzer) writes it: it loads, or it is refused with problems that each
 * name their line or what is wrong; no other exception escapes, so a wrong file always ends with a sentence.
 */
class RulesFileFuzzTest {

    static final String[] FRAGMENTS = {"receivers:\n", "  - name: ops\n", "    type: webhook\n", "    url: http://x/\n",
        "routes:\n", "  - match: {job: \"*\"}\n", "    receiver: ops\n", "jobs:\n", "  - match: \"esxi/*\"\n",
        "    schedule: {every: 1d, grace: 2h}\n", "    schedule: {cron: \"0 2 * * *\"}\n", "    failures: 3 of 5\n",
        "grouping:\n", "  group-by: [host]\n", "  group-wait: 30s\n", "inhibit:\n", "  - source: {job: \"*/x\"}\n",
        "    target: {job: \"*\"}\n", "    equal: [host]\n", "    max-duration: 6h\n", "    type: sms\n",
        "    port: abc\n", "    repeat-interval: never\n", "  - {match: {severity: critical}, receiver: ops, continue: true}\n",
        // Every channel's own options, so that each config reader is reached.
        "    type: email\n", "    host: smtp.example.org\n", "    port: 587\n", "    from: a@example.org\n",
        "    to: b@example.org, c@example.org\n", "    starttls: required\n", "    username: u\n", "    password: p\n",
        "    type: ntfy\n", "    priority: urgent\n", "    token: tk\n", "    type: pagerduty\n", "    routing-key: R0\n",
        "    type: slack\n", "    type: teams\n", "    type: console\n", "    method: GET\n", "    max-length: 160\n",
        "    body: '{\"t\":\"{{text_json}}\"}'\n", "    to: \"+4915112345678\"\n", "    url: \"https://sms.example.org/?to={{to}}\"\n",
        "    headers: {Authorization: \"Basic x\"}\n", "    headers: {A: {b: c}}\n", "    timeout: 5s\n",
        "    max-attempts: 3\n", "    secret: whsec_x\n", "default-receiver: ops\n",
        // Chains and retention, so that their readers and the circle check are reached.
        "chains:\n", "  - name: c1\n", "  - name: c2\n", "    when: {job: \"esxi/*\", on: succeeded}\n",
        "    when: {job: \"nas/*\", on: [failed, exit-code 3]}\n", "    after: [{job: a/b, on: finished}, {job: c/d, on: failed}]\n",
        "    within: 12h\n", "    delay: 10m\n", "    window: {not-before: \"22:00\", not-after: \"04:00\", time-zone: Europe/Berlin}\n",
        "    expire-after: 2h\n", "    max-depth: 3\n", "    run: [{agent: nas, action: copy}]\n",
        "    run: [{agent: esxi, action: again, job: x}]\n", "    run: [{webhook: ops, parameters: {k: v}}]\n",
        "retention:\n", "  - match: \"esxi/*\"\n", "    keep-daily: 7\n", "    keep-yearly: unlimited\n",
        "    keep-within: 1y6m\n", "    keep-within-daily: 7d\n", "    keep-tag: [[a, b], \"c,d\"]\n", "    style: borg\n",
        "    keep-at-least: 2\n", "    enforce: false\n", "    enforce: true\n", "    prune: {agent: esxi, action: prune}\n",
        "    prune: {webhook: ops}\n", "    prune: {agent: esxi, action: rm, parameters: {root: /vmfs}}\n"};

    @FuzzTest(maxDuration = "5s")
    void aRulesFileLoadsOrIsRefusedWithProblemsThatSaySomething(FuzzedDataProvider data) {
        StringBuilder yaml = new StringBuilder();
        int pieces = data.consumeInt(0, 24);
        for (int i = 0; i < pieces; i++) {
            yaml.append(data.consumeBoolean() ? FRAGMENTS[data.consumeInt(0, FRAGMENTS.length - 1)]
                    : data.consumeString(40));
        }
        yaml.append(data.consumeRemainingAsString());
        try {
            Rules.parse(yaml.toString());
        } catch (RulesException refused) {
            assertFalse(refused.problems().isEmpty());
            refused.problems().forEach(problem -> assertTrue(problem != null && problem.length() > 10, problem));
        }
    }
}
