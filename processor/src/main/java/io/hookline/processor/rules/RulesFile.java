package io.hookline.processor.rules;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.hookline.processor.ProcessorConfig;

/**
 * The rules file named by {@code hookline.rules}, and the rules in force. Loaded at start (a wrong file stops the
 * processor, naming its lines) and again on {@link #reload()}, as Alertmanager reloads its configuration: a file
 * with mistakes is refused and the rules in force stay. Everything that routes, groups or checks deadlines asks
 * {@link #current()} each time, so a reload takes effect with the next alert step.
 */
@ApplicationScoped
public class RulesFile implements Supplier<Rules> {

    private static final Logger LOG = Logger.getLogger(RulesFile.class);

    /** What the last reload did, for the API. */
    public record Reload(Instant at, boolean applied, List<String> problems) {
    }

    private final Optional<Path> file;
    private final AtomicReference<Rules> current = new AtomicReference<>();
    private volatile Instant loadedAt;
    private volatile Reload lastReload;

    public RulesFile(ProcessorConfig config) {
        this.file = config.rules().filter(name -> !name.isBlank()).map(Path::of);
        if (file.isEmpty()) {
            LOG.info("no rules file (hookline.rules): failed runs alert; nothing is scheduled");
            current.set(Rules.NONE);
        } else {
            try {
                current.set(Rules.load(file.get()));
            } catch (RulesException e) {
                throw new IllegalStateException("invalid rules file " + file.get() + ":\n  " + String.join("\n  ", e.problems()));
            }
            LOG.infof("rules from %s: %d job rule(s), %d receiver(s)", file.get(), current.get().jobs().size(),
                    current.get().receivers().size());
        }
        loadedAt = Instant.now();
    }

    /** The rules in force. */
    public Rules current() {
        return current.get();
    }

    @Override
    public Rules get() {
        return current();
    }

    /** Reads the file again; the rules in force change only when it has no mistake. */
    public synchronized Reload reload() {
        if (file.isEmpty()) {
            lastReload = new Reload(Instant.now(), false, List.of("no rules file is configured (hookline.rules)"));
            return lastReload;
        }
        try {
            Rules rules = Rules.load(file.get());
            current.set(rules);
            loadedAt = Instant.now();
            lastReload = new Reload(loadedAt, true, List.of());
            LOG.infof("rules reloaded from %s: %d job rule(s), %d receiver(s)", file.get(), rules.jobs().size(),
                    rules.receivers().size());
        } catch (RulesException e) {
            lastReload = new Reload(Instant.now(), false, e.problems());
            LOG.warnf("rules in %s not reloaded, the rules in force stay: %s", file.get(), e.problems());
        }
        return lastReload;
    }

    public Optional<Path> file() {
        return file;
    }

    public Instant loadedAt() {
        return loadedAt;
    }

    public Optional<Reload> lastReload() {
        return Optional.ofNullable(lastReload);
    }
}
