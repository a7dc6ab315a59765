package io.hookline.processor.rules;

import java.nio.file.Path;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

import org.jboss.logging.Logger;

import io.hookline.processor.ProcessorConfig;

/** Loads the rules file named by {@code hookline.rules} at start; a wrong file stops the processor, naming lines. */
@ApplicationScoped
public class RulesProducer {

    private static final Logger LOG = Logger.getLogger(RulesProducer.class);

    @Produces
    @jakarta.inject.Singleton
    Rules rules(ProcessorConfig config) {
        if (config.rules().isEmpty() || config.rules().get().isBlank()) {
            LOG.info("no rules file (hookline.rules): failed runs alert; nothing is scheduled");
            return Rules.NONE;
        }
        Path file = Path.of(config.rules().get());
        try {
            Rules rules = Rules.load(file);
            LOG.infof("rules from %s: %d job rule(s)", file, rules.jobs().size());
            return rules;
        } catch (RulesException e) {
            throw new IllegalStateException("invalid rules file " + file + ":\n  " + String.join("\n  ", e.problems()));
        }
    }
}
