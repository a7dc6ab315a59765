package io.hookline.processor.state;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** Job keys are listed in the order the state stores keep them: their UTF-8 bytes, unsigned. */
class JobKeysTest {

    /** Characters from each range where UTF-16's order and UTF-8's differ or meet. */
    private static final int[] CODE_POINTS = {'a', 'b', '/', '-', 0x7F, 0x80, 0xE9, 0x7FF, 0x800, 0x4E2D, 0xD7FF,
        0xE000, 0xFB01, 0xFFFD, 0xFFFF, 0x10000, 0x1F600, 0x10FFFF};

    @Test
    void keysCompareAsTheirUtf8Bytes() {
        Random random = new Random(13);
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            StringBuilder key = new StringBuilder("esxi/");
            for (int n = random.nextInt(5); n > 0; n--) {
                key.appendCodePoint(CODE_POINTS[random.nextInt(CODE_POINTS.length)]);
            }
            keys.add(key.toString());
        }
        for (String a : keys.subList(0, 200)) {
            for (String b : keys) {
                int bytes = Integer.signum(Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8),
                        b.getBytes(StandardCharsets.UTF_8)));
                assertEquals(bytes, Integer.signum(JobKeys.ORDER.compare(a, b)), a + " against " + b);
            }
        }
    }

    @Test
    void aCharacterAboveUffffComesAfterThePrivateUseArea() {
        // In UTF-16 a surrogate (0xD83D) is below U+E000; in UTF-8 and in the stores U+1F600 is above it.
        assertEquals(1, Integer.signum(JobKeys.ORDER.compare("job-\uD83D\uDE00", "job-\uE000")));
        assertEquals(-1, Integer.signum(JobKeys.ORDER.compare("job", "job-")));
        assertEquals(0, JobKeys.ORDER.compare("job-\u00E9", "job-\u00E9"));
    }
}
