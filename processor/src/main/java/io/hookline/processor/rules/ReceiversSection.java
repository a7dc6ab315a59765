package io.hookline.processor.rules;

import static io.hookline.processor.rules.Values.mapping;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.hookline.processor.notify.ChannelConfig;
import io.hookline.processor.notify.Receiver;
import io.hookline.processor.notify.ReceiverOptions;

/**
 * {@code receivers:}: a name, a {@code type:} from {@link Channels}, the options its channel reads, and the delivery
 * settings every channel has ({@code timeout}, {@code max-attempts}).
 */
final class ReceiversSection {

    private static final Set<String> COMMON = Set.of("name", "type", "timeout", "max-attempts");

    private ReceiversSection() {
    }

    static List<Receiver> parse(YamlTree node, List<String> problems) {
        List<Receiver> receivers = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (YamlTree entry : Values.list(node, "receivers", "- name: ..., type: ...", problems)) {
            Map<String, YamlTree> r = mapping(entry, "a receiver", problems);
            if (r == null) {
                continue;
            }
            String name = r.get("name") == null ? null : r.get("name").text();
            String type = r.get("type") == null ? null : r.get("type").text();
            if (name == null || name.isBlank()) {
                problems.add("line " + entry.line() + ": a receiver needs a name");
                continue;
            }
            if (!seen.add(name)) {
                problems.add("line " + entry.line() + ": a second receiver is named '" + name + "'");
            }
            if (type == null || !Channels.CONFIGS.containsKey(type)) {
                problems.add("line " + entry.line() + ": receiver " + name + " needs type: one of "
                        + List.copyOf(Channels.types()) + (type == null ? "" : ", not '" + type + "'"));
                continue;
            }
            ReceiverOptions options = new ReceiverOptions(name, type, entry.line(), options(r, problems));
            ChannelConfig config = Channels.CONFIGS.get(type).apply(options);
            List<String> wrong = options.problems();
            problems.addAll(wrong);
            Duration timeout = r.get("timeout") == null ? Duration.ofSeconds(10) : Values.duration(r.get("timeout"), problems);
            if (timeout != null && (timeout.compareTo(Duration.ofSeconds(1)) < 0 || timeout.compareTo(Duration.ofMinutes(5)) > 0)) {
                problems.add("line " + r.get("timeout").line() + ": timeout must be between 1s and 5m");
            }
            int attempts = Values.integer(r.get("max-attempts"), 8, problems);
            if (attempts < 1 || attempts > 30) {
                problems.add("line " + r.get("max-attempts").line() + ": max-attempts must be between 1 and 30");
            }
            if (config != null && wrong.isEmpty()) {
                receivers.add(new Receiver(name, type, config, timeout == null ? Duration.ofSeconds(10) : timeout,
                        attempts, entry.line()));
            }
        }
        return List.copyOf(receivers);
    }

    /** The channel's own options: everything but the settings every receiver has, {@code ${VARIABLE}}s expanded. */
    private static Map<String, ReceiverOptions.Option> options(Map<String, YamlTree> receiver, List<String> problems) {
        Map<String, ReceiverOptions.Option> options = new LinkedHashMap<>();
        receiver.forEach((key, value) -> {
            if (COMMON.contains(key)) {
                return;
            }
            Map<String, String> entries = null;
            if (value.map() != null) {
                entries = new LinkedHashMap<>();
                for (var entry : value.map().entrySet()) {
                    entries.put(entry.getKey(), expand(entry.getValue().text(), entry.getValue().line(), problems));
                }
            }
            options.put(key, new ReceiverOptions.Option(expand(value.text(), value.line(), problems), entries,
                    value.line()));
        });
        return options;
    }

    /** Where {@code ${NAME}} in a receiver's options is looked up: the processor's environment. */
    static java.util.function.UnaryOperator<String> environment = System::getenv;
    private static final java.util.regex.Pattern VARIABLE = java.util.regex.Pattern.compile(
            "\\$\\{([A-Za-z_][A-Za-z0-9_]*)\\}");

    /**
     * A channel credential kept out of the rules file: {@code url: "${SLACK_WEBHOOK_URL}"} takes the value of that
     * environment variable (a Kubernetes Secret, a compose env file); one that is not set is a problem naming it
     * (never its value).
     */
    static String expand(String text, int line, List<String> problems) {
        if (text == null || !text.contains("${")) {
            return text;
        }
        java.util.regex.Matcher m = VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = environment.apply(m.group(1));
            if (value == null) {
                problems.add("line " + line + ": ${" + m.group(1) + "} is not set in the processor's environment");
                value = "";
            }
            m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }
}
