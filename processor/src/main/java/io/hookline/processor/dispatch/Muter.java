package io.hookline.processor.dispatch;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import io.hookline.schema.AlertEvent;

/**
 * Whether an alert step is to be held back now, and why: the silences and the inhibitions both answer this, as
 * Alertmanager's silencer and inhibitor share one {@code Muter}. A resolve is never muted, so it reaches every
 * receiver that saw the firing.
 */
public interface Muter {

    Optional<Muted> muted(AlertEvent alert, Instant now);

    /** The first of {@code muters} that mutes the alert, in order. */
    static Muter firstOf(List<Muter> muters) {
        return (alert, now) -> {
            for (Muter muter : muters) {
                Optional<Muted> muted = muter.muted(alert, now);
                if (muted.isPresent()) {
                    return muted;
                }
            }
            return Optional.empty();
        };
    }
}
