package io.hookline.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * The PromQL that operators run against Hookline's metrics: the Grafana dashboard's queries
 * (deploy/grafana/hookline.json) and the Prometheus rules about Hookline (deploy/prometheus/hookline-rules.yml). Each
 * service's test compares the metrics they use with what the service exports.
 */
public final class MonitoringQueries {

    /** A metric in a selector: a name right before its label braces. */
    private static final Pattern SELECTOR = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\{");
    /** What Prometheus makes of a scrape itself, not a service. */
    private static final Set<String> PROMETHEUS_OWN = Set.of("up");

    private MonitoringQueries() {
    }

    /** Every query of the dashboard and every rule's expression, in the files under {@code deploy}. */
    public static List<String> all(Path deploy) {
        List<String> queries = new ArrayList<>();
        try {
            JsonNode dashboard = new ObjectMapper().readTree(deploy.resolve("grafana/hookline.json").toFile());
            for (JsonNode panel : dashboard.path("panels")) {
                panel.path("targets").forEach(target -> queries.add(target.path("expr").asText()));
            }
            JsonNode rules = new YAMLMapper().readTree(deploy.resolve("prometheus/hookline-rules.yml").toFile());
            for (JsonNode group : rules.path("groups")) {
                group.path("rules").forEach(rule -> queries.add(rule.path("expr").asText()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return queries;
    }

    /**
     * The metrics the queries about scrape job {@code job} use (a query for {@code job=~"hookline-.*"} counts for
     * both services). A query that names no Hookline job is refused: nobody could tell which service it is about.
     */
    public static Set<String> metricsOf(Path deploy, String job) {
        Set<String> names = new TreeSet<>();
        for (String query : all(deploy)) {
            boolean gateway = query.contains("job=\"hookline-gateway\"");
            boolean processor = query.contains("job=\"hookline-processor\"");
            boolean both = query.contains("job=~\"hookline-.*\"");
            if (!gateway && !processor && !both) {
                throw new IllegalStateException("a query without the service it is about: " + query);
            }
            if (both || query.contains("job=\"" + job + "\"")) {
                Matcher m = SELECTOR.matcher(query);
                while (m.find()) {
                    if (!PROMETHEUS_OWN.contains(m.group(1))) {
                        names.add(m.group(1));
                    }
                }
            }
        }
        return names;
    }
}
