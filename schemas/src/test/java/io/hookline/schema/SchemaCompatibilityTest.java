package io.hookline.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

import io.hookline.schema.serde.CompatibilityCheck;
import io.hookline.schema.serde.ReleasedSchemas;
import io.hookline.schema.serde.SchemaRelease;

/** The build check: every schema change stays backward and forward compatible with every released version. */
class SchemaCompatibilityTest {

    @Test
    void everyCurrentSchemaIsFullyCompatibleWithEveryReleasedVersion() {
        for (Schema current : SchemaRelease.TOP_LEVEL) {
            List<Schema> versions = ReleasedSchemas.versionsOf(current.getFullName());
            assertFalse(versions.isEmpty(), current.getFullName() + " has no released version: release it (schemas/README.md)");
            for (ReleasedSchemas.Released released : ReleasedSchemas.all()) {
                if (released.fullName().equals(current.getFullName())) {
                    List<String> problems = CompatibilityCheck.problems(current, released.schema(),
                            released.path());
                    assertEquals(List.of(), problems, "incompatible schema change");
                }
            }
        }
    }

    @Test
    void aFieldWithoutDefaultOrAChangedTypeIsReportedInBothDirections() {
        Schema released = ReleasedSchemas.versionsOf("io.hookline.schema.RejectedHook").get(0);
        String json = released.toString()
                .replace("\"name\":\"status\",\"type\":\"int\"", "\"name\":\"status\",\"type\":\"string\"")
                .replace("\"fields\":[", "\"fields\":[{\"name\":\"tenant\",\"type\":\"string\"},");
        Schema changed = new Schema.Parser().parse(json);

        List<String> problems = CompatibilityCheck.problems(changed, released, "RejectedHook/1.avsc");

        assertTrue(problems.stream().anyMatch(p -> p.startsWith("backward") && p.contains("field tenant: READER_FIELD_MISSING_DEFAULT_VALUE")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("backward") && p.contains("field status: TYPE_MISMATCH")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("forward") && p.contains("field status: TYPE_MISMATCH")), problems.toString());
    }

    @Test
    void anAddedEnumSymbolStaysCompatibleBecauseReadersFallBackToTheDefault() {
        Schema released = ReleasedSchemas.versionsOf("io.hookline.schema.BackupEvent").get(0);
        Schema withNewType = new Schema.Parser().parse(released.toString()
                .replace("\"RESTORE_POINT_DELETED\",", "\"RESTORE_POINT_DELETED\",\"RESTORE_VERIFIED\","));

        assertEquals(List.of(), CompatibilityCheck.problems(withNewType, released, "BackupEvent/1.avsc"));
    }

    @Test
    void everyReleasedFileIsListedInTheIndexAndNoListedFileIsMissing() throws IOException {
        Path dir = Path.of(System.getProperty("hookline.schemas.released.dir"));
        Set<String> onDisk;
        try (Stream<Path> files = Files.walk(dir)) {
            onDisk = files.filter(p -> p.toString().endsWith(".avsc"))
                    .map(p -> dir.relativize(p).toString().replace('\\', '/'))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        Set<String> indexed = ReleasedSchemas.all().stream().map(ReleasedSchemas.Released::path)
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(onDisk, indexed);
    }

    @Test
    void eachSubjectKeepsEachVersionOnceNumberedFromOne() {
        ReleasedSchemas.bySubject().forEach((subject, versions) -> {
            for (int i = 0; i < versions.size(); i++) {
                ReleasedSchemas.Released released = versions.get(i);
                assertEquals(i + 1, released.version(), subject + ": versions are numbered 1, 2, ... in release order");
                assertEquals("io.hookline.schema." + subject, released.fullName(), released.path());
                if (i > 0) {
                    assertFalse(released.schema().toString().equals(versions.get(i - 1).schema().toString()),
                            released.path() + " is the same schema as the version before it");
                }
            }
        });
        Set<String> released = new TreeSet<>(ReleasedSchemas.bySubject().keySet());
        Set<String> current = SchemaRelease.TOP_LEVEL.stream().map(Schema::getName).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(current, released, "every topic value, and nothing else, is a released subject");
    }
}
