package io.hookline.processor.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The RocksDB bound an operator sets: a mistake is named, not handed to RocksDB's cache. */
class BoundedRocksDbTest {

    @Test
    void theBoundIsTheSettingOrSixtyFourMebibytes() {
        assertEquals(64L * 1024 * 1024, BoundedRocksDb.bound(null));
        assertEquals(134_217_728L, BoundedRocksDb.bound(" 134217728 "));
    }

    @Test
    void aBoundThatIsNoNumberOrTooSmallIsRefusedByName() {
        assertEquals("hookline.rocksdb-memory-bytes must be at least 8388608 (8 MiB), not -9223372036854775808",
                assertThrows(IllegalArgumentException.class, () -> BoundedRocksDb.bound(Long.MIN_VALUE)).getMessage());
        assertEquals("hookline.rocksdb-memory-bytes must be at least 8388608 (8 MiB), not 0",
                assertThrows(IllegalArgumentException.class, () -> BoundedRocksDb.bound("0")).getMessage());
        assertEquals("hookline.rocksdb-memory-bytes must be a number of bytes, not '64m'",
                assertThrows(IllegalArgumentException.class, () -> BoundedRocksDb.bound("64m")).getMessage());
    }
}
