package io.hookline.gateway.xsibackup;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import io.hookline.gateway.envelope.EventEnvelope;
import io.hookline.gateway.envelope.EventIds;
import io.hookline.gateway.envelope.Figures;
import io.hookline.gateway.hook.RawCapture;
import io.hookline.gateway.hook.Rejection;
import io.hookline.gateway.secrets.SecretScrubber;
import io.hookline.gateway.source.Source;
import io.hookline.runtime.text.Excerpt;
import io.hookline.schema.BackupEvent;
import io.hookline.schema.EventType;
import io.hookline.schema.RawRequest;
import io.hookline.schema.RestorePoint;
import io.hookline.schema.RunOutcome;
import io.hookline.schema.XsiBackupDetail;
import io.hookline.schema.XsiBackupVm;

/** Turns a decoded XSIBackup call into the normalized event. */
public final class XsiBackupHook {

    /** Either the event or why the hook was refused. */
    public record Result(BackupEvent event, Rejection rejection) {
    }

    static final String UNIDENTIFIED_JOB = "unidentified";
    static final int MAX_ERROR_TEXT_CHARS = 64 * 1024;

    private XsiBackupHook() {
    }

    /**
     * @param hook {@code success} or {@code error}: which URL XSIBackup called
     * @param raw the request for audit, its query already made safe by {@link #safeQuery}
     */
    public static Result toEvent(Source source, String hook, XsiBackupQuery.Decoded decoded, Instant receivedAt,
            RawRequest raw, String idempotencyKey) {
        Optional<String> pid = decoded.field("PID").filter(p -> !p.isBlank());
        if (pid.isEmpty()) {
            return new Result(null, Rejection.badRequest("missing-field", "PID is missing from the decoded query (keys: "
                    + String.join(", ", decoded.fields().keySet()) + ")"));
        }
        String command = decoded.decodeField(decoded.field("cmd").orElse(""));
        String errorText = decoded.decodeField(decoded.field("err").orElse(""));
        XsiBackupCommand cmd = XsiBackupCommand.parse(command);
        String host = decoded.field("hostname").or(() -> decoded.field("host")).filter(h -> !h.isBlank()).orElse(null);
        String job = cmd.identity().orElse(UNIDENTIFIED_JOB);
        boolean success = hook.equals("success");
        Optional<String> seconds = decoded.field("t").map(String::strip).filter(t -> !t.isEmpty());
        Long elapsed = seconds.map(XsiBackupHook::parseSeconds).orElse(null);
        if (seconds.isPresent() && elapsed == null) {
            return new Result(null, Rejection.badRequest("bad-figure", "t is '" + Excerpt.quoted(seconds.get())
                    + "'; it must be the run's duration in whole seconds, 0 to " + Figures.MAX_DURATION_SECONDS));
        }
        // In depth: a field that did not decode to text is kept as sent, and may still be base64 holding a secret.
        String safeErrors = decoded.scrubDeep(errorText);
        List<String> errors = errorEntries(safeErrors);
        List<XsiBackupVm> vms = cmd.vms();

        XsiBackupDetail detail = XsiBackupDetail.newBuilder()
                .setHook(hook)
                .setPid(pid.get())
                .setElapsedSeconds(elapsed)
                .setCommand(command.isEmpty() ? null : decoded.scrubDeep(cmd.scrubbed()))
                .setBackupId(cmd.backupId().orElse(null))
                .setBackupPoint(cmd.argument("backup-point").orElse(null))
                .setBackupType(cmd.argument("backup-type").orElse(null))
                .setBackupHow(cmd.argument("backup-how").orElse(null))
                .setBackupProgram(cmd.argument("backup-prog").orElse(null))
                .setVms(vms)
                .setMailTo(cmd.argument("mail-to").orElse(null))
                // The whole report can be far larger than a record should be; the entries above say what it held.
                .setErrorText(errorText.isEmpty() ? null : Excerpt.of(safeErrors, MAX_ERROR_TEXT_CHARS))
                .setFields(otherFields(decoded))
                .build();

        // Not the PID: an ESXi host reuses PIDs, and the same PID months later is another run.
        String eventId = EventIds.forCall(source.name(), idempotencyKey);
        BackupEvent.Builder event = EventEnvelope.begin(source, eventId, receivedAt, host, job, raw)
                .setJobName(jobName(detail))
                .setRunId(pid.get())
                .setType(success ? EventType.RUN_SUCCEEDED : EventType.RUN_FAILED)
                .setOutcome(success ? RunOutcome.SUCCEEDED : RunOutcome.FAILED)
                .setErrors(errors)
                .setErrorCount(success && errors.isEmpty() ? null : errors.size())
                .setErrorMessage(success ? null
                        : errors.isEmpty() ? "XSIBackup reported an error without an error list" : errors.get(0))
                .setDurationMs(elapsed == null ? null : elapsed * 1000)
                .setDetail(detail);
        if (success) {
            // The run's start (the hook comes at its end, t seconds later): the time XSIBackup names the run's folder
            // by, and the one a prune looks for it with.
            java.time.Instant started = elapsed != null && elapsed >= 0 && elapsed <= 2 * 86_400
                    ? receivedAt.minusSeconds(elapsed) : receivedAt;
            event.setRestorePoint(RestorePoint.newBuilder()
                    .setId("xsibackup-" + pid.get())
                    .setCreatedAt(started)
                    .setUtcOffsetSeconds(source.zone().getRules().getOffset(started).getTotalSeconds())
                    .setHost(host)
                    .setLocation(detail.getBackupPoint())
                    .setTags(vms.stream().map(XsiBackupVm::getName).collect(Collectors.toList()))
                    .build());
        }
        return new Result(event.build(), null);
    }

    /**
     * The query as it may be kept for audit: as received, unless a secret hides inside its base64, in which case
     * the decoded list with cmd and err decoded and scrubbed. Every key and value is looked into in depth, so
     * that the raw query, when it is kept, needs no second deep look ({@link RawCapture#inspected}).
     */
    public static Optional<String> safeQuery(XsiBackupQuery.Decoded decoded) {
        Map<String, String> readable = new LinkedHashMap<>();
        boolean secret = false;
        for (var entry : decoded.fields().entrySet()) {
            String key = entry.getKey();
            String value = entry.getValue();
            if (key.equalsIgnoreCase("cmd") || key.equalsIgnoreCase("err")) {
                value = decoded.decodeField(value);
            }
            String scrubbed = SecretScrubber.isSecretName(key) ? SecretScrubber.MASK : decoded.scrubDeep(value);
            String safeKey = decoded.scrubDeep(key);
            secret |= !scrubbed.equals(value) || !safeKey.equals(key);
            readable.put(safeKey, scrubbed);
        }
        // What the fields do not hold (a segment without '=', a key given twice, white space around them), checked on
        // the decoded text itself; a text that is exactly its fields has been checked field by field already.
        if (!secret && !exactlyItsFields(decoded)) {
            secret = !decoded.scrubDeep(decoded.text()).equals(decoded.text());
        }
        if (!secret) {
            return Optional.empty();
        }
        return Optional.of(readable.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining("|")));
    }

    /** Whether the decoded text is its fields, {@code key=value} joined by '|', and nothing else. */
    private static boolean exactlyItsFields(XsiBackupQuery.Decoded decoded) {
        String text = decoded.text();
        int at = 0;
        boolean first = true;
        for (var entry : decoded.fields().entrySet()) {
            if (!first) {
                if (at >= text.length() || text.charAt(at) != '|') {
                    return false;
                }
                at++;
            }
            first = false;
            String key = entry.getKey();
            String value = entry.getValue();
            if (!text.startsWith(key, at) || at + key.length() >= text.length() || text.charAt(at + key.length()) != '='
                    || !text.startsWith(value, at + key.length() + 1)) {
                return false;
            }
            at += key.length() + 1 + value.length();
        }
        return at == text.length();
    }

    /** Every key but cmd and err, as sent, with secret-named keys masked. */
    private static Map<String, String> otherFields(XsiBackupQuery.Decoded decoded) {
        Map<String, String> fields = new LinkedHashMap<>();
        decoded.fields().forEach((key, value) -> {
            if (!key.equalsIgnoreCase("cmd") && !key.equalsIgnoreCase("err")) {
                fields.put(key, SecretScrubber.isSecretName(key) ? SecretScrubber.MASK : decoded.scrubDeep(value));
            }
        });
        return fields;
    }

    /**
     * The error list as in the e-mail report: one entry per line (a line feed, CR LF, or an HTML {@code <br>},
     * {@code <br/>} or {@code <br />} in any case), tags ({@code <...>}) removed, blank entries left out. Scanned
     * by hand: the regular expressions this did it with were a twenty-fifth of the gateway's event loops.
     */
    static List<String> errorEntries(String text) {
        List<String> entries = new ArrayList<>();
        if (text == null || text.isBlank()) {
            return entries;
        }
        int start = 0;
        int at = 0;
        while (at < text.length()) {
            int lineBreak = lineBreakAt(text, at);
            if (lineBreak > 0) {
                addEntry(entries, text, start, at);
                at += lineBreak;
                start = at;
            } else {
                at++;
            }
        }
        addEntry(entries, text, start, text.length());
        return entries;
    }

    /** The length of the line break at {@code at}, or 0. */
    private static int lineBreakAt(String text, int at) {
        char c = text.charAt(at);
        if (c == '\n') {
            return 1;
        }
        if (c == '\r') {
            return at + 1 < text.length() && text.charAt(at + 1) == '\n' ? 2 : 0;
        }
        if (c != '<' || at + 3 >= text.length() || (text.charAt(at + 1) | 0x20) != 'b'
                || (text.charAt(at + 2) | 0x20) != 'r') {
            return 0;
        }
        int end = at + 3;
        while (end < text.length() && isRegexSpace(text.charAt(end))) {
            end++;
        }
        if (end < text.length() && text.charAt(end) == '/') {
            end++;
        }
        return end < text.length() && text.charAt(end) == '>' ? end + 1 - at : 0;
    }

    /** What {@code \\s} matches: space, tab, line feed, vertical tab, form feed, carriage return. */
    private static boolean isRegexSpace(char c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }

    /** The line from {@code start} to {@code end} without its tags and surrounding blanks, unless nothing is left. */
    private static void addEntry(List<String> entries, String text, int start, int end) {
        String line = text.substring(start, end);
        if (line.indexOf('<') >= 0) {
            StringBuilder untagged = new StringBuilder(line.length());
            int from = 0;
            int open = line.indexOf('<');
            while (open >= 0) {
                int close = line.indexOf('>', open + 1);
                if (close < 0) {
                    break;
                }
                if (close == open + 1) {
                    // "<>" is no tag: the '<' stays and the search goes on after it.
                    open = line.indexOf('<', open + 1);
                    continue;
                }
                untagged.append(line, from, open);
                from = close + 1;
                open = line.indexOf('<', from);
            }
            line = untagged.append(line, from, line.length()).toString();
        }
        String entry = line.strip();
        if (!entry.isEmpty()) {
            entries.add(entry);
        }
    }

    private static String jobName(XsiBackupDetail detail) {
        String vms = detail.getVms().stream().map(XsiBackupVm::getName).collect(Collectors.joining(", "));
        String point = detail.getBackupPoint();
        if (vms.isEmpty() && point == null) {
            return detail.getBackupId() == null ? null : "XSIBackup job " + detail.getBackupId();
        }
        return (vms.isEmpty() ? "XSIBackup" : vms) + (point == null ? "" : " -> " + point);
    }

    /** Whole seconds from 0 to {@link Figures#MAX_DURATION_SECONDS}, or null. */
    private static Long parseSeconds(String value) {
        try {
            long seconds = Long.parseLong(value);
            return seconds >= 0 && seconds <= Figures.MAX_DURATION_SECONDS ? seconds : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
