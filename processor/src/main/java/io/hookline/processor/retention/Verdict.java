package io.hookline.processor.retention;

import java.time.Instant;
import java.util.List;

/** Keep or prune, and why (restic's words: {@code daily snapshot}, {@code within 2d}, {@code has tags [a, b]}). */
public record Verdict(String id, Instant time, boolean keep, List<String> reasons) {

    public Verdict {
        reasons = List.copyOf(reasons);
    }
}
