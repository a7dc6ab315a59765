package io.hookline.gateway.envelope;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.hookline.runtime.text.Excerpt;
import io.hookline.schema.BackupEvent;
import io.hookline.schema.serde.Records;

/**
 * Cuts what a hook reports to a size every consumer can hold, and says what was cut. A failure report is never
 * refused for its size: a 200 kB error list becomes its first entries, the full count, and a {@code truncated}
 * label, so the run is still recorded as failed.
 */
public final class EventBounds {

    public static final int MAX_ERRORS = 50;
    public static final int MAX_ERROR_CHARS = 2_000;
    public static final int MAX_MESSAGE_CHARS = 2_000;
    public static final int MAX_LABELS = 50;
    public static final int MAX_LABEL_CHARS = 1_000;
    /** Where the event says what was cut. */
    public static final String TRUNCATED_LABEL = "truncated";

    private EventBounds() {
    }

    /** The event, or a copy with its error list, message and labels cut to the limits above. */
    public static BackupEvent apply(BackupEvent event) {
        List<String> cuts = new ArrayList<>();
        List<String> errors = event.getErrors();
        List<String> keptErrors = errors;
        if (errors.size() > MAX_ERRORS || errors.stream().anyMatch(e -> e.length() > MAX_ERROR_CHARS)) {
            keptErrors = new ArrayList<>(Math.min(errors.size(), MAX_ERRORS));
            for (int i = 0; i < errors.size() && i < MAX_ERRORS; i++) {
                keptErrors.add(Excerpt.of(errors.get(i), MAX_ERROR_CHARS));
            }
            cuts.add(errors.size() > MAX_ERRORS ? "errors: the first " + MAX_ERRORS + " of " + errors.size() + " kept"
                    : "errors: entries cut to " + MAX_ERROR_CHARS + " characters");
        }
        String message = event.getErrorMessage();
        if (message != null && message.length() > MAX_MESSAGE_CHARS) {
            cuts.add("errorMessage: " + message.length() + " characters cut to " + MAX_MESSAGE_CHARS);
            message = Excerpt.of(message, MAX_MESSAGE_CHARS);
        }
        Map<String, String> labels = event.getLabels();
        boolean labelsTooLarge = labels.size() > MAX_LABELS
                || labels.entrySet().stream().anyMatch(e -> e.getKey().length() > MAX_LABEL_CHARS
                        || e.getValue().length() > MAX_LABEL_CHARS);
        if (labelsTooLarge) {
            Map<String, String> kept = new LinkedHashMap<>();
            labels.forEach((key, value) -> {
                if (kept.size() < MAX_LABELS - 1) {
                    kept.put(Excerpt.of(key, MAX_LABEL_CHARS), Excerpt.of(value, MAX_LABEL_CHARS));
                }
            });
            cuts.add("labels: " + labels.size() + " cut to " + kept.size() + ", each to " + MAX_LABEL_CHARS + " characters");
            labels = kept;
        }
        if (cuts.isEmpty()) {
            return event;
        }
        Map<String, String> withNote = new LinkedHashMap<>(labels);
        withNote.put(TRUNCATED_LABEL, String.join("; ", cuts));
        // A copy that resolves classes through the record's own loader (see Records), never newBuilder(other).
        BackupEvent bounded = Records.deepCopy(event);
        bounded.setErrors(keptErrors);
        bounded.setErrorCount(event.getErrorCount() != null ? event.getErrorCount() : errors.size());
        bounded.setErrorMessage(message);
        bounded.setLabels(withNote);
        return bounded;
    }
}
