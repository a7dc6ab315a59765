package io.hookline.processor.dispatch;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import io.hookline.processor.rules.Rules;
import io.hookline.schema.AlertEvent;

/**
 * Routes each alert step to the receivers its routes choose and puts it into its group there ({@link Groups}), as
 * Alertmanager's dispatcher does. The {@link Inhibitor} takes note of every step on the way.
 */
final class Dispatcher implements AlertFeed.Listener {

    private static final Logger LOG = Logger.getLogger(Dispatcher.class);

    private final Supplier<Rules> rules;
    private final Groups groups;
    private final Inhibitor inhibitor;

    Dispatcher(Supplier<Rules> rules, Groups groups, Inhibitor inhibitor) {
        this.rules = rules;
        this.groups = groups;
        this.inhibitor = inhibitor;
    }

    @Override
    public CompletableFuture<Void> alert(AlertEvent alert) {
        inhibitor.saw(alert, Instant.now());
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (Rules.Target target : rules.get().targetsFor(alert)) {
            all.add(groups.add(target.receiver(), target.grouping(), alert));
        }
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
    }

    /**
     * Reminders survive a restart: the alerts that still fired before it are known to their groups as sent, so
     * repeat-interval counts on from the restart.
     */
    @Override
    public void firingBefore(Collection<AlertEvent> alerts) {
        int seeded = 0;
        for (AlertEvent alert : alerts) {
            inhibitor.saw(alert, Instant.now());
            for (Rules.Target target : rules.get().targetsFor(alert)) {
                if (target.grouping().repeatInterval() != null) {
                    groups.seed(target.receiver(), target.grouping(), alert);
                    seeded++;
                }
            }
        }
        LOG.infof("%d firing alert(s) will be reminded of after their repeat-interval", seeded);
    }
}
