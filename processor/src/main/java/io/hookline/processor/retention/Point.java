package io.hookline.processor.retention;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

/** A restore point as a policy sees it: its id, when it was made and on what clock, its tags. */
public record Point(String id, Instant time, ZoneOffset offset, List<String> tags) {

    public Point {
        tags = List.copyOf(tags);
    }

    /** restic's HasTags: every tag of the list; the empty tag matches a point without tags. */
    boolean hasTags(List<String> wanted) {
        for (String tag : wanted) {
            if (tag.isEmpty() && tags.isEmpty()) {
                return true;
            }
            if (!tags.contains(tag)) {
                return false;
            }
        }
        return true;
    }
}
