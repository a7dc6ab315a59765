package io.hookline.schema.serde;

import java.util.concurrent.ConcurrentHashMap;

import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Deep copies of generated records that resolve classes through the records' own class loader.
 *
 * <p>The generated {@code newBuilder(other)} copies through the class's static model, which loads enum and record
 * classes through Avro's own class loader; where the application runs in several loaders (Quarkus) that yields
 * instances of the wrong class and a ClassCastException. Copy with this instead.
 */
public final class Records {

    private static final ConcurrentHashMap<Class<?>, SpecificData> MODELS = new ConcurrentHashMap<>();

    private Records() {
    }

    @SuppressWarnings("unchecked")
    public static <T extends SpecificRecord> T deepCopy(T record) {
        return (T) model(record.getClass()).deepCopy(record.getSchema(), record);
    }

    /**
     * A new record whose fields are the same objects as the given one's: for code that changes a record only by
     * setting its fields to new values (never changing a nested record or list in place), so that the original stays
     * as it was at a fraction of a deep copy's cost.
     */
    @SuppressWarnings("unchecked")
    public static <T extends SpecificRecord> T shallowCopy(T record) {
        T copy = (T) model(record.getClass()).newRecord(null, record.getSchema());
        int fields = record.getSchema().getFields().size();
        for (int i = 0; i < fields; i++) {
            copy.put(i, record.get(i));
        }
        return copy;
    }

    /**
     * Whether two lists hold equal records, element by element. Never {@code list.equals(other)} on lists of
     * records with timestamps: a list Avro decoded (a GenericData.Array) compares through the generic model, which
     * knows no logical types and throws on a java.time.Instant inside a union.
     */
    public static boolean same(java.util.List<? extends SpecificRecord> one, java.util.List<? extends SpecificRecord> other) {
        if (one.size() != other.size()) {
            return false;
        }
        for (int i = 0; i < one.size(); i++) {
            SpecificRecord a = one.get(i);
            SpecificRecord b = other.get(i);
            // A generated record's equals compares through its own model, which has the conversions.
            if (a == null ? b != null : !a.equals(b)) {
                return false;
            }
        }
        return true;
    }

    /** A model bound to the loader of {@code type}, with the logical-type conversions its generated class declares. */
    public static SpecificData model(Class<?> type) {
        return MODELS.computeIfAbsent(type, t -> {
            SpecificData model = new SpecificData(t.getClassLoader());
            SpecificData.getForClass(t).getConversions().forEach(model::addLogicalTypeConversion);
            return model;
        });
    }
}
