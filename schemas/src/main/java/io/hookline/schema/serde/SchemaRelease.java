package io.hookline.schema.serde;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.apache.avro.Schema;

import io.hookline.schema.BackupEvent;
import io.hookline.schema.JobState;
import io.hookline.schema.RejectedHook;

/**
 * Writes the current top-level schemas as a new released version: self-contained JSON files in
 * {@code released/<version>/} and their lines in {@code released/index.txt}.
 * Run: {@code java -cp schemas/target/classes:<avro> io.hookline.schema.serde.SchemaRelease <released dir> <version>}
 * (see schemas/README.md).
 */
public final class SchemaRelease {

    /** The schemas that are topic values: the contracts other services consume. */
    public static final List<Schema> TOP_LEVEL = List.of(
            BackupEvent.getClassSchema(), RejectedHook.getClassSchema(), JobState.getClassSchema(),
            io.hookline.schema.AlertEvent.getClassSchema(), io.hookline.schema.DeliveryAttempt.getClassSchema(), io.hookline.schema.Silence.getClassSchema(),
            io.hookline.schema.DeadLetter.getClassSchema(), io.hookline.schema.QuarantinedEvent.getClassSchema(),
            io.hookline.schema.AuditEvent.getClassSchema());

    private SchemaRelease() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: SchemaRelease <released-dir> <version, e.g. v2>");
            System.exit(2);
        }
        Path root = Path.of(args[0]);
        String version = args[1];
        Path folder = root.resolve(version);
        if (Files.exists(folder)) {
            System.err.println(folder + " exists already: a released version is never rewritten.");
            System.exit(1);
        }
        Files.createDirectories(folder);
        StringBuilder index = new StringBuilder();
        int written = 0;
        for (Schema schema : TOP_LEVEL) {
            // A schema unchanged since its newest release is not written again: each version of a schema once.
            List<Schema> released = ReleasedSchemas.versionsOf(schema.getFullName());
            if (!released.isEmpty() && released.get(released.size() - 1).toString().equals(schema.toString())) {
                continue;
            }
            written++;
            String file = schema.getName() + ".avsc";
            Files.writeString(folder.resolve(file), schema.toString(true) + "\n", StandardCharsets.UTF_8);
            index.append(version).append('/').append(file).append('\n');
        }
        Files.writeString(root.resolve("index.txt"), index.toString(), StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        System.out.println("released " + written + " changed schemas as " + folder);
    }
}
