package io.hookline.processor.streams;

import java.util.Map;

import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * Every RocksDB store of the processor shares one block cache and counts its memtables against it, so that the
 * off-heap memory is one bound ({@code hookline.rocksdb.memory.bytes}, 64 MiB unless set) however many stores and
 * partitions an instance holds. Without it each store instance takes its own cache and write buffers (tens of MB
 * each), and the resident set grows with the number of partitions and the state's size. The recipe is the one
 * Kafka Streams documents for bounding RocksDB's memory.
 */
public class BoundedRocksDb implements RocksDBConfigSetter {

    /** The Kafka Streams config key of the bound, in bytes. */
    public static final String MEMORY = "hookline.rocksdb.memory.bytes";
    static final long DEFAULT_MEMORY = 64L * 1024 * 1024;
    /** Less than this leaves RocksDB too little for the index blocks of a few stores. */
    static final long MIN_MEMORY = 8L * 1024 * 1024;

    private static Cache cache;
    private static WriteBufferManager writeBuffers;

    private static synchronized void init(long memory) {
        if (cache == null) {
            // Index and filter blocks get a tenth of the cache at high priority; memtables a quarter of the bound.
            cache = new LRUCache(memory, -1, false, 0.1);
            writeBuffers = new WriteBufferManager(memory / 4, cache);
        }
    }

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        init(bound(configs.get(MEMORY)));
        BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        table.setBlockCache(cache);
        table.setCacheIndexAndFilterBlocks(true);
        table.setCacheIndexAndFilterBlocksWithHighPriority(true);
        table.setPinTopLevelIndexAndFilter(true);
        options.setWriteBufferManager(writeBuffers);
        options.setMaxWriteBufferNumber(2);
        options.setWriteBufferSize(4L * 1024 * 1024);
        options.setTableFormatConfig(table);
    }

    /** The configured bound in bytes, or a message naming the setting when it is not a number of at least 8 MiB. */
    static long bound(Object configured) {
        if (configured == null) {
            return DEFAULT_MEMORY;
        }
        long bytes;
        try {
            bytes = Long.parseLong(configured.toString().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("hookline.rocksdb-memory-bytes must be a number of bytes, not '"
                    + configured + "'");
        }
        if (bytes < MIN_MEMORY) {
            throw new IllegalArgumentException("hookline.rocksdb-memory-bytes must be at least " + MIN_MEMORY
                    + " (8 MiB), not " + bytes);
        }
        return bytes;
    }

    @Override
    public void close(String storeName, Options options) {
        // The cache and the write buffer manager are shared by every store: they live as long as the process.
    }
}
