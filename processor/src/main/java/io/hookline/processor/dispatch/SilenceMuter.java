package io.hookline.processor.dispatch;

import java.time.Instant;
import java.util.Optional;

import io.hookline.processor.silences.Silences;
import io.hookline.schema.AlertEvent;
import io.hookline.schema.DeliveryOutcome;

/** Mutes what a silence or a maintenance window covers now. */
final class SilenceMuter implements Muter {

    private final Silences silences;

    SilenceMuter(Silences silences) {
        this.silences = silences;
    }

    @Override
    public Optional<Muted> muted(AlertEvent alert, Instant now) {
        return silences.muting(alert, now).map(silence -> new Muted(DeliveryOutcome.SILENCED, "silenced by "
                + silence.getId() + (silence.getComment().isEmpty() ? "" : ": " + silence.getComment())));
    }
}
