package io.hookline.gateway.ping;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.hookline.gateway.envelope.EventEnvelope;
import io.hookline.gateway.envelope.EventIds;
import io.hookline.gateway.hook.HookRequest;
import io.hookline.gateway.hook.RawCapture;
import io.hookline.gateway.secrets.SecretScrubber;
import io.hookline.gateway.source.Source;
import io.hookline.schema.BackupEvent;
import io.hookline.schema.EventType;
import io.hookline.schema.PingDetail;
import io.hookline.schema.RunOutcome;

/**
 * A Healthchecks ping as an event: the signal ({@code /start}, {@code /fail}, {@code /log}, an exit status or
 * none for success), {@code rid} as the run, and the body as the run's log, whose last line is the failure's
 * message. Pure: {@link PingResource} finds the source and the job.
 */
final class PingHook {

    private static final java.util.regex.Pattern STATUS = java.util.regex.Pattern.compile("\\d{1,3}");


    /** As Healthchecks: the body is kept up to this size and the limit is announced on every answer. */
    static final int BODY_LIMIT = 100_000;

    private PingHook() {
    }

    /** success, start, fail, log, or an exit status. */
    record Signal(String name, EventType type, Integer exitStatus) {
        static Signal parse(String text) {
            switch (text) {
                case "" -> {
                    return new Signal("success", EventType.RUN_SUCCEEDED, null);
                }
                case "start" -> {
                    return new Signal("start", EventType.RUN_STARTED, null);
                }
                case "fail" -> {
                    return new Signal("fail", EventType.RUN_FAILED, null);
                }
                case "log" -> {
                    return new Signal("log", EventType.RUN_LOG, null);
                }
                default -> {
                    if (!STATUS.matcher(text).matches()) {
                        return null;
                    }
                    int status = Integer.parseInt(text);
                    if (status > 255) {
                        return null;
                    }
                    return new Signal("exit", status == 0 ? EventType.RUN_SUCCEEDED : EventType.RUN_FAILED, status);
                }
            }
        }
    }

    static BackupEvent toEvent(Source source, String job, Signal signal, String rid, HookRequest request,
            Instant receivedAt) {
        long bodyBytes = HookRequest.utf8Length(request.body());
        // rid pairs a run's start and end; it does not tell a retry from a second /log of the same run.
        String eventId = EventIds.forCall(source.name(), request.idempotencyKey());
        BackupEvent.Builder event = EventEnvelope.begin(source, eventId, receivedAt, null, job,
                RawCapture.withLog(request, BODY_LIMIT, 4096))
                .setJobName(job)
                .setRunId(rid == null || rid.isBlank() ? null : rid)
                .setType(signal.type())
                .setLabels(Map.of());
        if (signal.type() == EventType.RUN_SUCCEEDED) {
            event.setOutcome(RunOutcome.SUCCEEDED);
        } else if (signal.type() == EventType.RUN_FAILED) {
            event.setOutcome(RunOutcome.FAILED);
            // From the whole body, not the kept head: a script's last words are at its end.
            String last = SecretScrubber.scrub(lastLine(request.body() == null ? "" : request.body()));
            String message = last != null ? last
                    : signal.exitStatus() != null ? "exit status " + signal.exitStatus() : "failure reported by ping";
            event.setErrorMessage(message);
            event.setErrors(List.of(message));
            if (signal.exitStatus() != null) {
                event.setErrorCode(Integer.toString(signal.exitStatus()));
            }
        }
        event.setDetail(PingDetail.newBuilder()
                .setSignal(signal.name())
                .setExitStatus(signal.exitStatus())
                .setMethod(request.method())
                .setSlug(job)
                .setRid(rid)
                .setUserAgent(request.header("user-agent"))
                .setBodyBytes(bodyBytes)
                .build());
        return event.build();
    }

    /** The last non-blank line, found from the end: the body may be far longer than what is kept. */
    static String lastLine(String log) {
        int end = log.length();
        while (end > 0) {
            int start = log.lastIndexOf('\n', end - 1) + 1;
            String line = log.substring(start, end).strip();
            if (!line.isEmpty()) {
                return line.length() > 500 ? line.substring(0, 500) : line;
            }
            end = start - 1;
        }
        return null;
    }
}
