package io.hookline.schema.serde;

import java.util.ArrayList;
import java.util.List;

import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;

/**
 * Full compatibility between a schema and a released version of it: the new reader reads what the old writer
 * wrote (backward) and the old reader reads what the new writer writes (forward). Consumers of Hookline's topics
 * upgrade on their own schedule, so both directions must hold.
 */
public final class CompatibilityCheck {

    private CompatibilityCheck() {
    }

    /** The problems, one sentence each; empty when the two are fully compatible. */
    public static List<String> problems(Schema current, Schema released, String releasedLabel) {
        List<String> problems = new ArrayList<>();
        describe(problems, SchemaCompatibility.checkReaderWriterCompatibility(current, released), current,
                "backward: the current " + current.getName() + " cannot read what " + releasedLabel + " wrote");
        describe(problems, SchemaCompatibility.checkReaderWriterCompatibility(released, current), released,
                "forward: " + releasedLabel + " cannot read what the current " + current.getName() + " writes");
        return problems;
    }

    private static void describe(List<String> problems, SchemaPairCompatibility pair, Schema reader, String direction) {
        if (pair.getResult().getCompatibility() == SchemaCompatibilityType.COMPATIBLE) {
            return;
        }
        for (Incompatibility incompatibility : pair.getResult().getIncompatibilities()) {
            problems.add(direction + ": field " + fieldPath(reader, incompatibility.getLocation()) + ": "
                    + incompatibility.getType() + " (" + incompatibility.getMessage() + ")");
        }
    }

    /** Turns Avro's JSON-pointer location ({@code /fields/8/type/fields/0}) into a field path ({@code raw.tenant}). */
    static String fieldPath(Schema root, String location) {
        String[] steps = location.split("/");
        StringBuilder path = new StringBuilder();
        Schema schema = root;
        for (int i = 0; i < steps.length && schema != null; i++) {
            String step = steps[i];
            if (step.equals("fields") && i + 1 < steps.length && schema.getType() == Schema.Type.RECORD) {
                int index = Integer.parseInt(steps[++i]);
                if (index >= schema.getFields().size()) {
                    break;
                }
                Schema.Field field = schema.getFields().get(index);
                path.append(path.length() == 0 ? "" : ".").append(field.name());
                schema = field.schema();
            } else if (step.equals("items") && schema.getType() == Schema.Type.ARRAY) {
                schema = schema.getElementType();
            } else if (step.equals("values") && schema.getType() == Schema.Type.MAP) {
                schema = schema.getValueType();
            } else if (step.matches("\\d+") && schema.getType() == Schema.Type.UNION) {
                int branch = Integer.parseInt(step);
                schema = branch < schema.getTypes().size() ? schema.getTypes().get(branch) : null;
            }
        }
        return path.length() == 0 ? location : path.toString();
    }
}
