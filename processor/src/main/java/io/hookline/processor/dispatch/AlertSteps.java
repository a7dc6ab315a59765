package io.hookline.processor.dispatch;

import io.hookline.schema.AlertEvent;

/** The order of an alert's steps, as the processor writes them: each firing numbers its steps from 0. */
final class AlertSteps {

    private AlertSteps() {
    }

    /**
     * Whether {@code step} comes after (or is) {@code known}: a later step of the same firing, or any step of a
     * firing that began later. An alert that resolved and fires again starts its steps anew, so its sequence alone
     * would put the new firing behind the resolve it follows.
     */
    static boolean newer(AlertEvent step, AlertEvent known) {
        int firing = step.getStartsAt().compareTo(known.getStartsAt());
        return firing > 0 || firing == 0 && step.getSequence() >= known.getSequence();
    }

    /** Whether both are the same step: of the same firing, with the same sequence. */
    static boolean same(AlertEvent step, AlertEvent known) {
        return step.getSequence() == known.getSequence() && step.getStartsAt().equals(known.getStartsAt());
    }
}
