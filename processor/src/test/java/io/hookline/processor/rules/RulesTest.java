package io.hookline.processor.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

class RulesTest {

    @Test
    void theExampleInTheRepositoryIsValidAndMeansWhatItsCommentsSay() throws Exception {
        Rules rules = Rules.load(Path.of("../rules.example.yaml"));

        JobRule xsi = rules.forJob("demo-xsibackup/esxi01/04");
        assertEquals(Duration.ofHours(6), xsi.maxDuration());
        assertEquals(Instant.parse("2026-11-22T04:00:00Z"), xsi.schedule().deadlineAfter(Instant.parse("2026-11-21T02:00:00Z")));

        JobRule db = rules.forJob("demo-pings/nightly-db");
        assertEquals(2, db.failures());
        assertEquals(3, db.outOf());
        // Last success 2026-11-21 02:10 Berlin; next due 2026-11-22 02:00 Berlin (01:00Z) + 1 h grace.
        assertEquals(Instant.parse("2026-11-22T02:00:00Z"), db.schedule().deadlineAfter(Instant.parse("2026-11-21T01:10:00Z")));

        JobRule other = rules.forJob("somewhere/else");
        assertNull(other.schedule());
        assertEquals(3, other.failures());
        assertEquals(5, other.outOf());
    }

    @Test
    void aChannelCredentialComesFromTheEnvironmentAndAMissingOneIsNamedNeverShown() throws Exception {
        var before = ReceiversSection.environment;
        ReceiversSection.environment = name -> name.equals("SLACK_WEBHOOK_URL")
                ? "https://hooks.slack.com/services/T000/B000/s3cr3t" : null;
        try {
            Rules rules = Rules.parse("""
                    receivers:
                      - {name: ops, type: slack, url: "${SLACK_WEBHOOK_URL}"}
                    default-receiver: ops
                    """);
            var slack = (io.hookline.processor.notify.slack.SlackConfig) rules.receiver("ops").orElseThrow().config();
            assertEquals("https://hooks.slack.com/services/T000/B000/s3cr3t", slack.url().toString());
            var problems = assertThrows(RulesException.class, () -> Rules.parse("""
                    receivers:
                      - name: pager
                        type: webhook
                        url: "https://pager.example.org/${PAGER_PATH}"
                    default-receiver: pager
                    """)).problems();
            assertEquals(List.of("line 4: ${PAGER_PATH} is not set in the processor's environment"),
                    problems.stream().filter(p -> p.contains("PAGER_PATH")).toList(), problems.toString());
        } finally {
            ReceiversSection.environment = before;
        }
    }

    @Test
    void everyMistakeIsReportedWithItsLine() {
        String yaml = """
                defaults:
                  failures: {count: 9, of: 5}
                jobs:
                  - match: "a/*"
                    schedule: {every: 1 day}
                  - schedule: {cron: "0 2 * *"}
                  - match: "b/*"
                    schedule: {cron: "61 2 * * *", time-zone: Mars/Base}
                    max-duration: soon
                  - match: "c/*"
                    shedule: {every: 1h}
                recievers: []
                """;
        RulesException e = assertThrows(RulesException.class, () -> Rules.parse(yaml));
        List<String> problems = e.problems();
        assertEquals(List.of(
                "line 2: failures needs 1 <= count <= of <= 20, not count 9 of 5",
                "line 5: '1 day' is not a duration like 30m, 6h, 1d or 1w",
                "line 6: a job rule needs match: <job key pattern>, e.g. \"esxi-prod/*\"",
                "line 8: 'Mars/Base' is not a time zone (e.g. Europe/Berlin)",
                "line 9: 'soon' is not a duration like 30m, 6h, 1d or 1w",
                "line 11: unknown key 'shedule' (expected one of anomaly, failures, match, max-duration, schedule)",
                "line 12: unknown key 'recievers' (expected one of chains, default-receiver, defaults, grouping, inhibit, jobs, receivers, retention, routes)"),
                problems.stream().sorted((a, b) -> Integer.compare(line(a), line(b))).toList());
    }

    @Test
    void aBadCronExpressionAndBrokenYamlNameTheirLine() {
        RulesException cron = assertThrows(RulesException.class, () -> Rules.parse("""
                jobs:
                  - match: "x"
                    schedule: {cron: "61 2 * * *"}
                """));
        assertEquals(3, line(cron.problems().get(0)), cron.problems().toString());
        RulesException yaml = assertThrows(RulesException.class, () -> Rules.parse("jobs:\n  - match: [unclosed\n"));
        assertEquals(true, yaml.problems().get(0).contains("not valid YAML"), yaml.problems().toString());
    }

    @Test
    void routesPickReceiversInOrderUntilOneWithoutContinueAndTheDefaultCatchesTheRest() throws Exception {
        Rules rules = Rules.parse("""
                receivers:
                  - {name: pager, type: webhook, url: "https://pager.example.org/hook"}
                  - {name: chat, type: slack, url: "https://hooks.slack.example/T0/B0/x"}
                  - {name: log, type: console}
                routes:
                  - match: {severity: critical, source: "esxi-*"}
                    receiver: pager
                    continue: true
                  - match: {condition: "failed"}
                    receiver: chat
                default-receiver: log
                """);
        assertEquals(List.of("pager", "chat"), names(rules, alert("esxi-prod/04", "CRITICAL", "FAILED")));
        assertEquals(List.of("pager"), names(rules, alert("esxi-prod/04", "CRITICAL", "FAILURE_RATE")));
        assertEquals(List.of("log"), names(rules, alert("borg/home", "WARNING", "MISSED")));
    }

    @Test
    void receiverAndRouteMistakesNameTheirLine() {
        RulesException e = assertThrows(RulesException.class, () -> Rules.parse("""
                receivers:
                  - {name: a, type: pigeon}
                  - {name: b, type: webhook}
                routes:
                  - {receiver: nobody}
                  - {receiver: b, match: {colour: red}}
                default-receiver: zed
                """));
        assertEquals(List.of(
                "line 2: receiver a needs type: one of [console, email, ntfy, pagerduty, slack, sms, teams, webhook], not 'pigeon'",
                "line 3: receiver b (webhook) needs url: http(s)://...",
                "line 5: route receiver 'nobody' is not one of the receivers []",
                "line 6: route receiver 'b' is not one of the receivers []",
                "line 7: default-receiver 'zed' is not one of the receivers []"), e.problems());
    }

    @Test
    void everyChannelOptionIsCheckedAtLoadWithItsLine() {
        RulesException e = assertThrows(RulesException.class, () -> Rules.parse("""
                receivers:
                  - name: mail
                    type: email
                    host: smtp.example.org
                    port: abc
                    from: hookline
                    to: oncall@example.org
                    starttls: sometimes
                    username: hookline
                  - name: phone
                    type: sms
                    url: "ftp://sms.example.org/send?to={{to}}"
                    to: "+4915112345678"
                    body: "{{text}}"
                    method: DELETE
                    max-length: 5
                    headers: {Authorization: {nested: value}}
                  - name: push
                    type: ntfy
                    url: https://ntfy.example.org/backups
                    priority: loud
                    colour: red
                  - {name: slow, type: webhook, url: "https://hooks.example.org/x", timeout: 0s, max-attempts: 0}
                """));
        assertEquals(List.of(
                "line 5: receiver mail (email) port 'abc' is not a whole number",
                "line 6: receiver mail (email) from 'hookline' is not an e-mail address",
                "line 9: receiver mail (email) needs both username and password, or neither",
                "line 8: receiver mail (email) starttls takes [disabled, optional, required], not 'sometimes'",
                "line 12: receiver phone (sms) needs url: http(s)://...",
                "line 15: receiver phone (sms) method takes [get, post, put], not 'DELETE'",
                "line 16: receiver phone (sms) max-length must be between 20 and 1600, not 5",
                "line 17: receiver phone (sms) headers 'Authorization' must have a single value",
                "line 22: receiver push (ntfy) has no option 'colour' (it takes [priority, token, url])",
                "line 21: receiver push (ntfy) priority takes [1, 2, 3, 4, 5, default, high, low, max, min, urgent], not 'loud'",
                "line 23: timeout must be between 1s and 5m",
                "line 23: max-attempts must be between 1 and 30"), e.problems());
    }

    @Test
    void aKeyGivenTwiceIsRefusedInsteadOfSilentlyReplacingTheFirst() {
        RulesException e = assertThrows(RulesException.class, () -> Rules.parse("""
                receivers:
                  - {name: log, type: console}
                default-receiver: log
                receivers:
                  - {name: mail, type: email, host: smtp.example.org, from: a@example.org, to: b@example.org, to: c@example.org}
                """));
        assertEquals(List.of(
                "line 5: 'to' is given a second time (first on line 5); a key may appear once",
                "line 4: 'receivers' is given a second time (first on line 1); a key may appear once"), e.problems());
    }

    @Test
    void aReceiverGetsItsChannelsTypedConfig() throws Exception {
        Rules rules = Rules.parse("""
                receivers:
                  - {name: mail, type: email, host: smtp.example.org, port: "587", from: "Hookline <hookline@example.org>",
                     to: "a@example.org, Backup Team <b@example.org>", username: u, password: p, starttls: REQUIRED}
                """);
        var mail = rules.receiver("mail").orElseThrow().config(io.hookline.processor.notify.email.EmailConfig.class);
        assertEquals(587, mail.port());
        assertEquals(List.of("a@example.org", "Backup Team <b@example.org>"), mail.to());
        assertEquals("Hookline <hookline@example.org>", mail.from());
        assertEquals("required", mail.starttls());
        assertEquals(false, mail.toString().contains("p,") || mail.toString().contains("password"), mail.toString());
    }

    @Test
    void routesGroupAsTheySayAndTakeWhatTheyLeaveOutFromTheTopLevelGrouping() throws Exception {
        Rules rules = Rules.parse("""
                receivers:
                  - {name: chat, type: slack, url: "https://hooks.slack.example/T0/B0/x"}
                  - {name: pager, type: pagerduty, routing-key: R0123}
                  - {name: log, type: console}
                grouping:
                  group-interval: 10m
                  repeat-interval: 12h
                routes:
                  - match: {severity: critical}
                    receiver: pager
                    group-by: ['...']
                    continue: true
                  - match: {source: "esxi-*"}
                    receiver: chat
                    group-by: [host, condition]
                    group-wait: 1m
                  - match: {source: "borg"}
                    receiver: chat
                    repeat-interval: never
                default-receiver: log
                """);
        var esxi = rules.targetsFor(alert("esxi-prod/04", "CRITICAL", "FAILED"));
        assertEquals(new Grouping(List.of(), true, Duration.ZERO, Duration.ofMinutes(10), Duration.ofHours(12)),
                esxi.get(0).grouping());
        assertEquals(new Grouping(List.of("host", "condition"), false, Duration.ofMinutes(1), Duration.ofMinutes(10),
                Duration.ofHours(12)), esxi.get(1).grouping());
        assertEquals("chat{host=,condition=failed}", esxi.get(1).grouping().groupKey("chat",
                alert("esxi-prod/04", "CRITICAL", "FAILED")));
        // No group-by anywhere: every alert on its own, with the top-level timings; this route never repeats.
        assertEquals(new Grouping(List.of(), true, Duration.ZERO, Duration.ofMinutes(10), null),
                rules.targetsFor(alert("borg/home", "WARNING", "MISSED")).get(0).grouping());
        assertEquals(new Grouping(List.of(), true, Duration.ZERO, Duration.ofMinutes(10), Duration.ofHours(12)),
                rules.targetsFor(alert("restic/home", "WARNING", "MISSED")).get(0).grouping());

        Rules plain = Rules.parse("""
                receivers: [{name: chat, type: slack, url: "https://hooks.slack.example/T0/B0/x"}]
                routes: [{receiver: chat, group-by: [source]}]
                default-receiver: chat
                """);
        assertEquals(new Grouping(List.of("source"), false, Grouping.WAIT, Grouping.INTERVAL, Grouping.REPEAT),
                plain.routes().get(0).grouping(), "Alertmanager's timings when a route groups and says no more");
        assertEquals(Grouping.NONE, plain.grouping(), "without grouping every step goes out at once, alone");
    }

    @Test
    void groupingMistakesNameTheirLine() {
        RulesException e = assertThrows(RulesException.class, () -> Rules.parse("""
                receivers: [{name: chat, type: console}]
                grouping:
                  group-by: host
                routes:
                  - receiver: chat
                    group-by: [host, colour, host]
                    group-wait: soon
                  - receiver: chat
                    group-by: ['...', job]
                    repeat-intervall: 1h
                """));
        assertEquals(List.of(
                "line 3: group-by must be a list such as [host, condition], or ['...'] for every alert on its own",
                "line 6: group-by takes [condition, host, job, kind, severity, source] or '...', not 'colour'",
                "line 6: group-by names 'host' twice",
                "line 7: 'soon' is not a duration like 30m, 6h, 1d or 1w",
                "line 9: group-by ['...'] puts every alert on its own: it takes no other label",
                "line 10: unknown key 'repeat-intervall' (expected one of continue, group-by, group-interval, group-wait, match, receiver, repeat-interval)"),
                e.problems().stream().sorted((a, b) -> Integer.compare(line(a), line(b))).toList());
    }

    static io.hookline.schema.AlertEvent alert(String jobKey, String severity, String condition) {
        java.time.Instant now = java.time.Instant.now();
        return io.hookline.schema.AlertEvent.newBuilder().setAlertKey(jobKey + "/x")
                .setStatus(io.hookline.schema.AlertStatus.FIRING)
                .setCondition(io.hookline.schema.AlertCondition.valueOf(condition))
                .setSeverity(io.hookline.schema.Severity.valueOf(severity)).setJobKey(jobKey)
                .setSourceName(jobKey.split("/")[0]).setSourceKind(io.hookline.schema.SourceKind.XSIBACKUP)
                .setJob("x").setSummary("s").setStartsAt(now).setUpdatedAt(now)
                .setEventIds(List.of()).setLabels(java.util.Map.of()).build();
    }

    static List<String> names(Rules rules, io.hookline.schema.AlertEvent alert) {
        return rules.targetsFor(alert).stream().map(t -> t.receiver().name()).toList();
    }

    private static int line(String problem) {
        return Integer.parseInt(problem.substring(5, problem.indexOf(':')));
    }
}
