package io.hookline.processor;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * Stores for a reactor's task started by hand on a {@link MockProcessorContext}: what a new task (a restart, a
 * rebalance) finds restored, filled by the test before the task starts.
 */
public final class TaskStores {

    private TaskStores() {
    }

    public static <V> KeyValueStore<String, V> add(MockProcessorContext<String, Object> context, String name,
            Serde<V> values) {
        KeyValueStore<String, V> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Serdes.String(),
                values).withLoggingDisabled().build();
        store.init(context.getStateStoreContext(), store);
        context.addStateStore(store);
        return store;
    }
}
