package io.hookline.gateway.retrospect;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import io.hookline.schema.EventType;

/**
 * The sixteen events Retrospect passes to RetroEventHandler, with the names of their positional arguments
 * (sources.md). The argument names are what {@code RetrospectDetail.namedArguments} uses.
 */
public enum RetrospectEvent {
    START_APP("StartApp", EventType.APP_STARTED, "startDate", "autoLaunched", "interventionFile"),
    END_APP("EndApp", EventType.APP_STOPPED, "endDate"),
    START_BACKUP_SERVER("StartBackupServer", EventType.SERVER_STARTED, "startDate", "interventionFile"),
    STOP_BACKUP_SERVER("StopBackupServer", EventType.SERVER_STOPPED, "endDate"),
    START_SCRIPT("StartScript", EventType.RUN_STARTED, "scriptName", "startDate", "interventionFile"),
    END_SCRIPT("EndScript", EventType.RUN_SUCCEEDED, "scriptName", "numErrors", "fatalErrCode", "fatalErrMsg"),
    START_SOURCE("StartSource", EventType.TARGET_STARTED, "scriptName", "volumeName", "sourcePath", "clientName",
            "interventionFile"),
    END_SOURCE("EndSource", EventType.TARGET_FINISHED, "scriptName", "sourceName", "sourcePath", "clientName",
            "KBBackedUp", "numFiles", "durationSeconds", "sourceStart", "sourceEnd", "scriptStart", "backupSet",
            "backupAction", "parentVolume", "numErrors", "fatalErrCode", "fatalErrMsg"),
    MEDIA_REQUEST("MediaRequest", EventType.MEDIA_REQUESTED, "mediaLabel", "mediaName", "mediaIsKnown",
            "minutesWaited", "interventionFile"),
    TIMED_OUT_MEDIA_REQUEST("TimedOutMediaRequest", EventType.MEDIA_TIMED_OUT, "mediaLabel", "mediaName",
            "mediaIsKnown", "minutesWaited", "interventionFile"),
    SCRIPT_CHECK_FAILED("ScriptCheckFailed", EventType.SCHEDULE_CHECK_FAILED, "scriptName", "nextDate", "reason",
            "errCode", "errMsg"),
    NEXT_EXEC("NextExec", EventType.NEXT_RUN_SCHEDULED, "scriptName", "nextDate"),
    STOP_SCHED("StopSched", EventType.SCHEDULE_STOPPED, "scriptName", "stopDate", "interventionFile"),
    PASSWORD_ENTRY("PasswordEntry", EventType.PASSWORD_ENTRY, "objectName", "attempts", "errCode", "errMsg"),
    FATAL_BACKUP_ERROR("FatalBackupError", EventType.FATAL_ERROR, "scriptName", "failureCause", "errCode", "errMsg"),
    ANOMALY_ALERT("AnomalyAlert", EventType.ANOMALY_REPORTED);

    private static final Map<String, RetrospectEvent> BY_NAME = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);

    static {
        for (RetrospectEvent event : values()) {
            BY_NAME.put(event.wireName, event);
        }
        // Retrospect's documentation spells it both ways.
        BY_NAME.put("SchedStop", STOP_SCHED);
    }

    private final String wireName;
    private final EventType type;
    private final List<String> argumentNames;

    RetrospectEvent(String wireName, EventType type, String... argumentNames) {
        this.wireName = wireName;
        this.type = type;
        this.argumentNames = List.of(argumentNames);
    }

    public static Optional<RetrospectEvent> named(String name) {
        return Optional.ofNullable(name == null ? null : BY_NAME.get(name.strip()));
    }

    public String wireName() {
        return wireName;
    }

    public EventType type() {
        return type;
    }

    /**
     * The documented names of these arguments. FatalBackupError has four, then sometimes errZone and/or
     * interventionFile: a trailing argument that looks like a path is the intervention file.
     */
    public Map<String, String> name(List<String> arguments) {
        Map<String, String> named = new java.util.LinkedHashMap<>();
        List<String> names = argumentNames;
        if (this == FATAL_BACKUP_ERROR && arguments.size() > 4) {
            String last = arguments.get(arguments.size() - 1);
            boolean lastIsFile = last.contains("/") || last.contains("\\");
            names = new java.util.ArrayList<>(argumentNames);
            if (arguments.size() == 5) {
                names.add(lastIsFile ? "interventionFile" : "errZone");
            } else {
                names.add("errZone");
                names.add("interventionFile");
            }
        }
        for (int i = 0; i < arguments.size(); i++) {
            named.put(i < names.size() ? names.get(i) : "arg" + (i + 1), arguments.get(i));
        }
        return named;
    }

    /** The 1-based position of the interventionFile argument, if this event has one. */
    public Optional<Integer> interventionFilePosition(List<String> arguments) {
        List<String> names = List.copyOf(name(arguments).keySet());
        int index = names.indexOf("interventionFile");
        return index < 0 ? Optional.empty() : Optional.of(index + 1);
    }

    @Override
    public String toString() {
        return wireName.toLowerCase(Locale.ROOT);
    }
}
