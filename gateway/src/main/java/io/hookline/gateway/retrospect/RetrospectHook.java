package io.hookline.gateway.retrospect;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.hookline.gateway.envelope.EventEnvelope;
import io.hookline.gateway.envelope.EventIds;
import io.hookline.gateway.envelope.Figures;
import io.hookline.gateway.secrets.SecretScrubber;
import io.hookline.gateway.source.Source;
import io.hookline.schema.BackupEvent;
import io.hookline.schema.EventType;
import io.hookline.schema.RawRequest;
import io.hookline.schema.RestorePoint;
import io.hookline.schema.RetrospectDetail;
import io.hookline.schema.RunOutcome;

/** Turns one RetroEventHandler call (event name and positional arguments) into the normalized event. */
final class RetrospectHook {

    private RetrospectHook() {
    }

    /** @param idempotencyKey what the shim sends with every retry of this one call, or null */
    static BackupEvent toEvent(Source source, String eventName, List<String> rawArguments, String host,
            Instant receivedAt, RawRequest raw, String intervention, String idempotencyKey) {
        List<String> arguments = rawArguments.stream().map(SecretScrubber::scrub).toList();
        Optional<RetrospectEvent> known = RetrospectEvent.named(eventName);
        Map<String, String> named = known.map(e -> e.name(arguments)).orElseGet(() -> positional(arguments));
        String script = blankToNull(named.get("scriptName"));
        String job = jobOf(known.orElse(null), script);
        EventType type = known.map(RetrospectEvent::type).orElse(EventType.OTHER);

        // Not a digest of the arguments: EndScript "Daily" 0 0 "successful" is the same text every night.
        String eventId = EventIds.forCall(source.name(), idempotencyKey);
        BackupEvent.Builder event = EventEnvelope.begin(source, eventId, receivedAt, host, job, raw)
                // A script's runs belong to one job whichever client fired the hook: no host in the key.
                .setJobKey(EventEnvelope.jobKey(source, null, job))
                .setJobName(script)
                .setType(type);

        String when = firstPresent(named, "startDate", "endDate", "stopDate", "sourceEnd");
        if (when != null) {
            event.setOccurredAtRaw(when);
            LocalDates.parse(when, source.zone()).ifPresent(event::setOccurredAt);
        }
        Map<String, String> labels = new LinkedHashMap<>();
        RetrospectEvent kind = known.orElse(null);
        if (kind == RetrospectEvent.START_SCRIPT) {
            event.setRunId(script + "@" + named.getOrDefault("startDate", ""));
        } else if (kind == RetrospectEvent.END_SCRIPT) {
            applyOutcome(event, named, true);
        } else if (kind == RetrospectEvent.START_SOURCE) {
            event.setTarget(target(named.get("clientName"), named.get("volumeName")));
        } else if (kind == RetrospectEvent.END_SOURCE) {
            event.setRunId(script + "@" + named.getOrDefault("scriptStart", ""));
            event.setTarget(target(named.get("clientName"), named.get("sourceName")));
            Long kb = number(named.get("KBBackedUp"));
            Long bytes = Figures.scaled(kb, 1024);
            event.setBytes(bytes);
            event.setFiles(number(named.get("numFiles")));
            Long seconds = number(named.get("durationSeconds"));
            event.setDurationMs(Figures.scaled(seconds, 1000));
            RunOutcome outcome = applyOutcome(event, named, false);
            if (outcome != RunOutcome.FAILED && named.get("backupSet") != null) {
                Instant created = Optional.ofNullable(named.get("sourceEnd"))
                        .flatMap(end -> LocalDates.parse(end, source.zone())).orElse(receivedAt);
                event.setRestorePoint(RestorePoint.newBuilder()
                        .setId(named.get("backupSet") + ":" + named.getOrDefault("sourceName", "") + "@"
                                + named.getOrDefault("sourceEnd", receivedAt.toString()))
                        .setCreatedAt(created)
                        .setUtcOffsetSeconds(source.zone().getRules().getOffset(created).getTotalSeconds())
                        .setHost(blankToNull(named.get("clientName")))
                        .setLocation(named.get("backupSet"))
                        .setSizeBytes(bytes)
                        .setTags(named.get("backupAction") == null ? List.of() : List.of(named.get("backupAction")))
                        .build());
            }
        } else if (kind == RetrospectEvent.MEDIA_REQUEST || kind == RetrospectEvent.TIMED_OUT_MEDIA_REQUEST) {
            copy(named, labels, "mediaLabel", "mediaName", "mediaIsKnown", "minutesWaited");
            event.setTarget(blankToNull(named.get("mediaName")));
        } else if (kind == RetrospectEvent.SCRIPT_CHECK_FAILED || kind == RetrospectEvent.PASSWORD_ENTRY
                || kind == RetrospectEvent.FATAL_BACKUP_ERROR) {
            event.setErrorCode(blankToNull(named.get("errCode")));
            String message = join(named.get("failureCause"), named.get("reason"), named.get("errMsg"));
            event.setErrorMessage(message);
            event.setErrors(message == null ? List.of() : List.of(message));
            copy(named, labels, "nextDate", "attempts", "objectName", "errZone");
        } else if (kind == RetrospectEvent.NEXT_EXEC) {
            copy(named, labels, "nextDate");
        }
        if (intervention != null) {
            labels.put("intervention", intervention);
        }
        event.setLabels(labels);
        event.setDetail(RetrospectDetail.newBuilder()
                .setEvent(eventName)
                .setArguments(arguments)
                .setNamedArguments(named)
                .setScriptName(script)
                .setClientName(blankToNull(named.get("clientName")))
                .setVolumeName(blankToNull(firstPresent(named, "volumeName", "sourceName")))
                .setBackupSet(blankToNull(named.get("backupSet")))
                .setBackupAction(blankToNull(named.get("backupAction")))
                .setIntervention(intervention)
                .build());
        return event.build();
    }

    /**
     * EndScript / EndSource: a fatal code (0 or negative) fails the run; errors without one are a success with
     * warnings. Retrospect says "successful" as the message when there was none.
     */
    private static RunOutcome applyOutcome(BackupEvent.Builder event, Map<String, String> named, boolean endsRun) {
        Long errors = number(named.get("numErrors"));
        Long fatal = number(named.get("fatalErrCode"));
        String message = blankToNull(named.get("fatalErrMsg"));
        boolean failed = fatal != null && fatal != 0;
        RunOutcome outcome = failed ? RunOutcome.FAILED : errors != null && errors > 0 ? RunOutcome.WARNING : RunOutcome.SUCCEEDED;
        if (endsRun) {
            event.setType(failed ? EventType.RUN_FAILED : EventType.RUN_SUCCEEDED);
        }
        event.setOutcome(outcome);
        event.setErrorCount(errors == null ? null : errors.intValue());
        if (failed) {
            event.setErrorCode(Long.toString(fatal));
            event.setErrorMessage(message == null || message.equalsIgnoreCase("successful") ? "fatal error " + fatal : message);
            event.setErrors(List.of(event.getErrorMessage()));
        } else if (outcome == RunOutcome.WARNING) {
            event.setErrorMessage(errors + " error(s) reported by Retrospect");
        }
        return outcome;
    }

    private static String jobOf(RetrospectEvent kind, String script) {
        if (kind == null || kind == RetrospectEvent.ANOMALY_ALERT) {
            return script != null ? script : "retrospect";
        }
        return switch (kind) {
            case START_APP, END_APP -> "retrospect";
            case START_BACKUP_SERVER, STOP_BACKUP_SERVER -> "backup-server";
            case MEDIA_REQUEST, TIMED_OUT_MEDIA_REQUEST -> "media";
            case PASSWORD_ENTRY -> "password-entry";
            default -> script != null ? script : "unnamed-script";
        };
    }

    private static Map<String, String> positional(List<String> arguments) {
        Map<String, String> named = new LinkedHashMap<>();
        for (int i = 0; i < arguments.size(); i++) {
            named.put("arg" + (i + 1), arguments.get(i));
        }
        return named;
    }

    private static String target(String client, String volume) {
        List<String> parts = new ArrayList<>();
        if (client != null && !client.isBlank()) {
            parts.add(client.strip());
        }
        if (volume != null && !volume.isBlank()) {
            parts.add(volume.strip());
        }
        return parts.isEmpty() ? null : String.join(":", parts);
    }

    private static void copy(Map<String, String> from, Map<String, String> to, String... keys) {
        for (String key : keys) {
            String value = from.get(key);
            if (value != null && !value.isBlank()) {
                to.put(key, value);
            }
        }
    }

    private static String firstPresent(Map<String, String> named, String... keys) {
        for (String key : keys) {
            String value = named.get(key);
            if (value != null && !value.isBlank()) {
                return value;
            }
        }
        return null;
    }

    private static String join(String... parts) {
        List<String> present = new ArrayList<>();
        for (String part : parts) {
            if (part != null && !part.isBlank()) {
                present.add(part.strip());
            }
        }
        return present.isEmpty() ? null : String.join(": ", present);
    }

    static Long number(String text) {
        if (text == null) {
            return null;
        }
        try {
            return Long.parseLong(text.strip().replace(",", ""));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text.strip();
    }
}
