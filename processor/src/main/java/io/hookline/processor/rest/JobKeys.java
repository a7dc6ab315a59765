package io.hookline.processor.rest;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;

/**
 * The order of /api/jobs: job keys as their UTF-8 bytes compare, the order the state stores keep them in, so that a
 * page read from the stores from a cursor on is the page a walk over every job would give. It is the text's order
 * but where characters above U+FFFF meet those from U+E000 up.
 */
final class JobKeys {

    static final Comparator<String> ORDER = (a, b) -> a.equals(b) ? 0
            : Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));

    private JobKeys() {
    }
}
