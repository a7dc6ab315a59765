package io.hookline.schema.serde;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.avro.Schema;

/**
 * Every released version of every Hookline schema, as committed under {@code io/hookline/schema/released/}: one
 * folder per record (the subject) and one file per version of it, {@code BackupEvent/1.avsc}, as a schema
 * registry keeps subjects and versions. A reader uses them to resolve records written by any older (or newer)
 * writer; the build's compatibility test checks the current schemas against all of them.
 */
public final class ReleasedSchemas {

    public static final String RESOURCE_ROOT = "io/hookline/schema/released/";
    public static final String INDEX = RESOURCE_ROOT + "index.txt";

    /** A released schema: its subject (the record's name), its version within the subject, the parsed schema. */
    public record Released(String subject, int version, Schema schema) {
        public String fullName() {
            return schema.getFullName();
        }

        /** Where it is kept, below the released folder. */
        public String path() {
            return subject + "/" + version + ".avsc";
        }
    }

    private static final java.util.regex.Pattern ENTRY = java.util.regex.Pattern.compile("([A-Za-z][A-Za-z0-9]*)/([1-9][0-9]*)\\.avsc");
    private static final List<Released> ALL = load();

    private ReleasedSchemas() {
    }

    public static List<Released> all() {
        return ALL;
    }

    /** Every released version of the record with this full name, oldest first. */
    public static List<Schema> versionsOf(String fullName) {
        List<Schema> versions = new ArrayList<>();
        for (Released released : ALL) {
            if (released.fullName().equals(fullName)) {
                versions.add(released.schema());
            }
        }
        return versions;
    }

    private static List<Released> load() {
        ClassLoader loader = ReleasedSchemas.class.getClassLoader();
        List<Released> released = new ArrayList<>();
        for (String entry : readLines(loader, INDEX)) {
            java.util.regex.Matcher path = ENTRY.matcher(entry);
            if (!path.matches()) {
                throw new IllegalStateException(INDEX + ": expected <Record>/<version>.avsc, got '" + entry + "'");
            }
            // Each released file is self-contained, so each gets its own parser (names repeat across files).
            Schema schema = new Schema.Parser().parse(read(loader, RESOURCE_ROOT + entry));
            if (!schema.getName().equals(path.group(1))) {
                throw new IllegalStateException(entry + " holds " + schema.getFullName() + ", not " + path.group(1));
            }
            released.add(new Released(path.group(1), Integer.parseInt(path.group(2)), schema));
        }
        return List.copyOf(released);
    }

    static List<String> readLines(ClassLoader loader, String resource) {
        List<String> lines = new ArrayList<>();
        for (String line : read(loader, resource).split("\n")) {
            String trimmed = line.strip();
            if (!trimmed.isEmpty() && !trimmed.startsWith("#")) {
                lines.add(trimmed);
            }
        }
        return lines;
    }

    private static String read(ClassLoader loader, String resource) {
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The released versions of each subject, oldest first, for tools and tests. */
    public static Map<String, List<Released>> bySubject() {
        Map<String, List<Released>> bySubject = new LinkedHashMap<>();
        for (Released released : ALL) {
            bySubject.computeIfAbsent(released.subject(), v -> new ArrayList<>()).add(released);
        }
        return bySubject;
    }
}
