package io.hookline.processor.dispatch;

import io.hookline.schema.DeliveryOutcome;

/** Why an alert is not sent now: SILENCED or INHIBITED, and a sentence saying by what. */
public record Muted(DeliveryOutcome outcome, String message) {
}
