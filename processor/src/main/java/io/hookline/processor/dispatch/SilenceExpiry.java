package io.hookline.processor.dispatch;

import java.util.concurrent.CompletableFuture;

import io.hookline.processor.silences.Silences;
import io.hookline.schema.AlertEvent;
import io.hookline.schema.AlertStatus;

/** A silence "until resolved" ends when its alert resolves: a listener of the alert feed of its own. */
final class SilenceExpiry implements AlertFeed.Listener {

    private final Silences silences;

    SilenceExpiry(Silences silences) {
        this.silences = silences;
    }

    @Override
    public CompletableFuture<Void> alert(AlertEvent alert) {
        if (alert.getStatus() == AlertStatus.RESOLVED) {
            silences.resolved(alert);
        }
        return CompletableFuture.completedFuture(null);
    }
}
