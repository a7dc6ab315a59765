package io.hookline.processor.rules;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.hookline.processor.match.Matchers;

/** The scalar values of the rules file, read the same way in every section; a wrong one is a problem with its line. */
final class Values {

    private static final Pattern DURATION = Pattern.compile("(\\d+)(s|m|h|d|w)");

    private Values() {
    }

    static Duration duration(YamlTree node, List<String> problems) {
        Duration duration = node.text() == null ? null : parseDuration(node.text());
        if (duration == null) {
            problems.add("line " + node.line() + ": '" + node.text() + "' is not a duration like 30m, 6h, 1d or 1w");
        }
        return duration;
    }

    static Duration optionalDuration(YamlTree node, List<String> problems) {
        return node == null ? null : duration(node, problems);
    }

    /** {@code 30s}, {@code 30m}, {@code 6h}, {@code 1d}, {@code 1w}; null when it is not one. */
    static Duration parseDuration(String text) {
        Matcher matcher = DURATION.matcher(text.strip());
        if (!matcher.matches()) {
            return null;
        }
        long amount;
        try {
            amount = Long.parseLong(matcher.group(1));
        } catch (NumberFormatException tooLong) {
            return null;
        }
        try {
            return switch (matcher.group(2)) {
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                case "d" -> Duration.ofDays(amount);
                default -> Duration.ofDays(Math.multiplyExact(7, amount));
            };
        } catch (ArithmeticException tooLong) {
            return null;
        }
    }

    static String format(Duration duration) {
        long seconds = duration.getSeconds();
        if (seconds % 86_400 == 0) {
            return seconds / 86_400 + "d";
        }
        if (seconds % 3600 == 0) {
            return seconds / 3600 + "h";
        }
        return seconds % 60 == 0 ? seconds / 60 + "m" : seconds + "s";
    }

    static int integer(YamlTree node, int fallback, List<String> problems) {
        if (node == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(String.valueOf(node.text()).strip());
        } catch (NumberFormatException e) {
            problems.add("line " + node.line() + ": '" + node.text() + "' is not a whole number");
            return fallback;
        }
    }

    static boolean bool(YamlTree node, boolean fallback, List<String> problems) {
        if (node == null) {
            return fallback;
        }
        String text = String.valueOf(node.text());
        if (!text.equals("true") && !text.equals("false")) {
            problems.add("line " + node.line() + ": '" + text + "' is not true or false");
            return fallback;
        }
        return Boolean.parseBoolean(text);
    }

    static Map<String, YamlTree> mapping(YamlTree node, String what, List<String> problems) {
        if (node.map() == null) {
            problems.add("line " + node.line() + ": " + what + " must be a mapping (key: value)");
        }
        return node.map();
    }

    /** The entries of a list section, or none (and a problem naming {@code example}) when it is not a list. */
    static List<YamlTree> list(YamlTree node, String what, String example, List<String> problems) {
        if (node == null) {
            return List.of();
        }
        if (node.list() == null) {
            problems.add("line " + node.line() + ": " + what + " must be a list (" + example + ")");
            return List.of();
        }
        return node.list();
    }

    static void unknownKeys(Map<String, YamlTree> map, Set<String> known, List<String> problems) {
        map.forEach((key, value) -> {
            if (!known.contains(key)) {
                problems.add("line " + value.line() + ": unknown key '" + key + "' (expected one of "
                        + String.join(", ", known.stream().sorted().toList()) + ")");
            }
        });
    }

    /** A matcher set from the rules file: unknown fields and globs too long are named with their line. */
    static Matchers matchers(Map<String, YamlTree> m, YamlTree node, List<String> problems) {
        unknownKeys(m, Matchers.KEYS, problems);
        Map<String, String> patterns = new java.util.LinkedHashMap<>();
        m.forEach((key, value) -> {
            if (Matchers.KEYS.contains(key)) {
                patterns.put(key, String.valueOf(value.text()));
            }
        });
        try {
            return Matchers.of(patterns);
        } catch (IllegalArgumentException e) {
            problems.add("line " + node.line() + ": " + e.getMessage());
            return null;
        }
    }
}
