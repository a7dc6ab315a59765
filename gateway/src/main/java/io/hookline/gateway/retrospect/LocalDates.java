package io.hookline.gateway.retrospect;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Retrospect's dates: local time without a zone, in the machine's locale ({@code 11/21/2016 18:06},
 * {@code 1/1/2000 12:01 AM}). Parsed in the source's configured zone when the shape is known; the raw string
 * is always kept by the caller.
 */
final class LocalDates {

    private static final java.util.regex.Pattern SPACES = java.util.regex.Pattern.compile("\\s+");
    private static final List<DateTimeFormatter> FORMATS = List.of(
            pattern("M/d/yyyy h:mm[:ss] a"),
            pattern("M/d/yyyy H:mm[:ss]"),
            pattern("M/d/yy h:mm[:ss] a"),
            pattern("M/d/yy H:mm[:ss]"),
            pattern("d.M.yyyy H:mm[:ss]"),
            pattern("yyyy-M-d H:mm[:ss]"),
            pattern("yyyy-M-d'T'H:mm[:ss]"));

    private LocalDates() {
    }

    static Optional<Instant> parse(String raw, ZoneId zone) {
        if (raw == null || raw.isBlank()) {
            return Optional.empty();
        }
        String text = SPACES.matcher(raw.strip()).replaceAll(" ");
        for (DateTimeFormatter format : FORMATS) {
            try {
                return Optional.of(LocalDateTime.parse(text, format).atZone(zone).toInstant());
            } catch (DateTimeParseException notThisShape) {
                // try the next
            }
        }
        try {
            return Optional.of(Instant.parse(text));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private static DateTimeFormatter pattern(String pattern) {
        return new DateTimeFormatterBuilder().parseCaseInsensitive().appendPattern(pattern).toFormatter(Locale.US);
    }
}
