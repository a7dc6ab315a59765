package io.hookline.processor.notify;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A receiver's options as the rules file gives them, for its channel's config to read: every getter checks the
 * value and, when it is wrong, records a problem that names the line. What the config never asks for is an
 * unknown option, reported with the options the channel does take.
 */
public final class ReceiverOptions {

    /** One option: a text, or a mapping of texts (headers), and the line it stands on. */
    public record Option(String text, Map<String, String> entries, int line) {
    }

    private final String receiver;
    private final String type;
    private final int line;
    private final Map<String, Option> options;
    private final Set<String> read = new LinkedHashSet<>();
    private final List<String> problems = new ArrayList<>();

    public ReceiverOptions(String receiver, String type, int line, Map<String, Option> options) {
        this.receiver = receiver;
        this.type = type;
        this.line = line;
        this.options = new LinkedHashMap<>(options);
    }

    /** A text option, or null when it is not given. */
    public String text(String key) {
        read.add(key);
        Option option = options.get(key);
        if (option == null) {
            return null;
        }
        if (option.text() == null) {
            problem(option.line(), key + " must be a single value");
        }
        return option.text();
    }

    public String text(String key, String fallback) {
        String text = text(key);
        return text == null ? fallback : text;
    }

    /** A text option that must be given and not be blank; {@code hint} shows what it looks like. */
    public String required(String key, String hint) {
        String text = text(key);
        if (text == null || text.isBlank()) {
            if (!options.containsKey(key) || options.get(key).text() != null) {
                problem(line, "needs " + key + hint);
            }
            return null;
        }
        return text;
    }

    /** An http(s) URL; {@code required} says whether it must be given. */
    public URI url(String key, boolean required) {
        return checkedUrl(key, required, false);
    }

    /**
     * An http(s) URL that may hold {@code {{name}}} placeholders, filled at send time: checked with them taken out.
     */
    public String urlTemplate(String key, boolean required) {
        URI checked = checkedUrl(key, required, true);
        return checked == null ? null : text(key).strip();
    }

    private URI checkedUrl(String key, boolean required, boolean placeholders) {
        String text = required ? required(key, ": http(s)://...") : text(key);
        if (text == null || text.isBlank()) {
            return null;
        }
        String url = text.strip();
        String lower = url.toLowerCase(Locale.ROOT);
        if (!(lower.startsWith("http://") || lower.startsWith("https://"))) {
            problem(lineOf(key), "needs " + key + ": http(s)://...");
            return null;
        }
        try {
            URI checked = new URI(placeholders ? url.replaceAll("\\{\\{[a-z_]+}}", "x") : url);
            if (checked.getHost() == null) {
                problem(lineOf(key), key + " has no host name");
                return null;
            }
            return checked;
        } catch (URISyntaxException e) {
            // The reason names the character, never the URL: it may hold a credential.
            problem(lineOf(key), key + " is not a URL: " + e.getReason() + " at index " + e.getIndex());
            return null;
        }
    }

    /** A whole number between {@code min} and {@code max}. */
    public int integer(String key, int fallback, int min, int max) {
        String text = text(key);
        if (text == null) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(text.strip());
            if (value < min || value > max) {
                problem(lineOf(key), key + " must be between " + min + " and " + max + ", not " + value);
                return fallback;
            }
            return value;
        } catch (NumberFormatException e) {
            problem(lineOf(key), key + " '" + text + "' is not a whole number");
            return fallback;
        }
    }

    /** One of {@code allowed} (case-insensitive, returned in lower case). */
    public String oneOf(String key, Set<String> allowed, String fallback) {
        String text = text(key);
        if (text == null) {
            return fallback;
        }
        String lower = text.strip().toLowerCase(Locale.ROOT);
        if (!allowed.contains(lower)) {
            problem(lineOf(key), key + " takes " + allowed.stream().sorted().toList() + ", not '" + text + "'");
            return fallback;
        }
        return lower;
    }

    /** A mapping of texts ({@code headers: {Authorization: ...}}), empty when not given. */
    public Map<String, String> entries(String key) {
        read.add(key);
        Option option = options.get(key);
        if (option == null) {
            return Map.of();
        }
        if (option.entries() == null) {
            problem(option.line(), key + " must be a mapping (Name: value)");
            return Map.of();
        }
        option.entries().forEach((name, value) -> {
            if (value == null) {
                problem(option.line(), key + " '" + name + "' must have a single value");
            }
        });
        return option.entries().values().stream().anyMatch(java.util.Objects::isNull) ? Map.of() : option.entries();
    }

    /** A problem of this receiver that the config finds itself, such as two options that do not go together. */
    public void problem(String key, String message) {
        problem(lineOf(key), message);
    }

    /** Every problem found, unknown options included; call once the config has read what it takes. */
    public List<String> problems() {
        List<String> all = new ArrayList<>();
        options.forEach((key, option) -> {
            if (!read.contains(key)) {
                all.add("line " + option.line() + ": " + this + " has no option '" + key + "' (it takes "
                        + read.stream().sorted().toList() + ")");
            }
        });
        all.addAll(problems);
        return all;
    }

    private int lineOf(String key) {
        Option option = options.get(key);
        return option == null ? line : option.line();
    }

    private void problem(int at, String message) {
        problems.add("line " + at + ": " + this + " " + message);
    }

    @Override
    public String toString() {
        return "receiver " + receiver + " (" + type + ")";
    }
}
