package io.hookline.bench;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A bench's command line: the {@code --name value} options it knows, and {@code --help}. Anything else ends the
 * bench before it starts a broker, with one sentence naming what was wrong and the usage, instead of a run of many
 * minutes with the option ignored (a misspelt {@code --job}, or {@code --help} itself) or Java's
 * NumberFormatException.
 * {@code --root} is the repository, which each script passes.
 */
final class BenchOptions {

    /** Exit status for a command line the bench refused. */
    static final int USAGE = 2;
    private static final Pattern HEAP = Pattern.compile("[1-9][0-9]*[kKmMgG]?");

    private final List<String> known;
    private final Map<String, String> values;

    private BenchOptions(List<String> known, Map<String, String> values) {
        this.known = known;
        this.values = values;
    }

    /** A bench's work, given its options. */
    interface Bench {
        void run(BenchOptions options) throws Exception;
    }

    /**
     * Runs {@code bench} with {@code args} read against the options named in {@code usage} (each
     * {@code [--name ...]}): {@code --help} prints the usage instead, and a command line it refuses (here or where
     * the bench reads an option, before it starts anything) prints why and the usage and exits {@link #USAGE}.
     */
    static void run(String usage, String[] args, Bench bench) throws Exception {
        try {
            bench.run(read(usage, args));
        } catch (Help help) {
            System.out.println("usage: " + usage);
        } catch (Refused refused) {
            System.err.println(usage.split(" ", 2)[0] + ": " + refused.getMessage());
            System.err.println("usage: " + usage);
            System.exit(USAGE);
        }
    }

    /** The options in {@code args}: {@link Help} for --help, {@link Refused} with the sentence for what it refuses. */
    static BenchOptions read(String usage, String[] args) {
        List<String> known = Pattern.compile("\\[--([a-z-]+)").matcher(usage).results().map(m -> m.group(1)).toList();
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                throw new Help();
            }
            String name = arg.startsWith("--") ? arg.substring(2) : null;
            if (name == null || !(known.contains(name) || name.equals("root"))) {
                throw new Refused("unknown option '" + arg + "'");
            }
            if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
                throw new Refused(arg + " needs a value");
            }
            if (values.put(name, args[++i]) != null) {
                throw new Refused(arg + " is given twice");
            }
        }
        return new BenchOptions(known, values);
    }

    /**
     * A whole number from {@code min} to {@code max}; {@code fallback} when the option is not given. The bound is
     * what the bench can hold and time on a machine like the development one, so that two billion jobs end in this
     * sentence instead of an OutOfMemoryError minutes into the run.
     */
    int count(String name, int fallback, int min, int max) {
        String value = given(name);
        if (value == null) {
            return fallback;
        }
        try {
            int number = Integer.parseInt(value.strip());
            if (number >= min && number <= max) {
                return number;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new Refused("--" + name + " must be a whole number from " + min + " to " + max + ", not '" + value + "'");
    }

    /** A JVM heap size as -Xmx takes it (256m, 1g). */
    String heap(String name, String fallback) {
        String value = given(name);
        value = value == null ? fallback : value;
        if (!HEAP.matcher(value).matches()) {
            throw new Refused("--" + name + " must be a heap size such as 256m or 1g, not '" + value + "'");
        }
        return value;
    }

    /** One of {@code choices}. */
    String choice(String name, String fallback, String... choices) {
        String value = given(name);
        value = value == null ? fallback : value;
        if (!List.of(choices).contains(value)) {
            throw new Refused("--" + name + " must be one of " + String.join(", ", choices) + ", not '" + value + "'");
        }
        return value;
    }

    private String given(String name) {
        if (!known.contains(name)) {
            throw new IllegalArgumentException("the bench reads --" + name + ", which its usage does not name");
        }
        return values.get(name);
    }

    /** The repository the script runs from. */
    Path root() {
        return Path.of(values.getOrDefault("root", "."));
    }

    /** --help was asked for. */
    static final class Help extends RuntimeException {
        Help() {
            super("help", null, false, false);
        }
    }

    /** The command line was refused, for the reason in the message. */
    static final class Refused extends RuntimeException {
        Refused(String why) {
            super(why, null, false, false);
        }
    }
}
