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
 * Releases every top-level schema that changed since its newest released version as that subject's next version:
 * a self-contained JSON file {@code released/<Record>/<n>.avsc} and its line in {@code released/index.txt}.
 * Run: {@code java -cp schemas/target/classes:<avro> io.hookline.schema.serde.SchemaRelease <released dir>}
 * (see schemas/README.md).
 */
public final class SchemaRelease {

    /** The schemas that are topic values: the contracts other services consume. */
    public static final List<Schema> TOP_LEVEL = List.of(
            BackupEvent.getClassSchema(), RejectedHook.getClassSchema(), JobState.getClassSchema(),
            io.hookline.schema.AlertEvent.getClassSchema(), io.hookline.schema.DeliveryAttempt.getClassSchema(), io.hookline.schema.Silence.getClassSchema(),
            io.hookline.schema.DeadLetter.getClassSchema(), io.hookline.schema.QuarantinedEvent.getClassSchema(),
            io.hookline.schema.AuditEvent.getClassSchema(), io.hookline.schema.Command.getClassSchema());

    private SchemaRelease() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: SchemaRelease <released-dir>");
            System.exit(2);
        }
        Path root = Path.of(args[0]);
        StringBuilder index = new StringBuilder();
        int written = 0;
        for (Schema schema : TOP_LEVEL) {
            List<Schema> released = ReleasedSchemas.versionsOf(schema.getFullName());
            if (!released.isEmpty() && released.get(released.size() - 1).toString().equals(schema.toString())) {
                continue;
            }
            Path file = root.resolve(schema.getName()).resolve((released.size() + 1) + ".avsc");
            if (Files.exists(file)) {
                System.err.println(file + " exists already: a released version is never rewritten.");
                System.exit(1);
            }
            Files.createDirectories(file.getParent());
            Files.writeString(file, schema.toString(true) + "\n", StandardCharsets.UTF_8);
            index.append(schema.getName()).append('/').append(released.size() + 1).append(".avsc\n");
            System.out.println("released " + root.relativize(file));
            written++;
        }
        Files.writeString(root.resolve("index.txt"), index.toString(), StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        System.out.println(written == 0 ? "no schema changed since its newest release" : written + " schema(s) released");
    }
}
