package io.hookline.processor.notify;

import java.time.Duration;

import io.hookline.runtime.text.Excerpt;

/**
 * A channel: sends one notification and says whether a failure is worth retrying. The retry loop, the record of
 * every attempt and the idempotency key live once, in {@link Dispatcher}, for every channel.
 */
public interface Notifier {

    /** The channel's name in the rules file ({@code type:}). */
    String type();

    Result send(Notification notification);

    /** What happened: delivered, worth retrying (after at least {@code retryAfter}), or not worth retrying. */
    record Result(boolean delivered, boolean retry, Integer httpStatus, Duration retryAfter, String message) {

        public static Result delivered(Integer status) {
            return new Result(true, false, status, null, null);
        }

        public static Result retry(Integer status, Duration retryAfter, String message) {
            return new Result(false, true, status, retryAfter, message);
        }

        public static Result giveUp(Integer status, String message) {
            return new Result(false, false, status, null, message);
        }

        /** The usual HTTP answer: 2xx delivered; 408, 425, 429 and 5xx retry (honouring Retry-After); 410 and other 4xx stop. */
        public static Result ofHttp(int status, String retryAfterHeader, String body) {
            if (status >= 200 && status < 300) {
                return delivered(status);
            }
            String why = "HTTP " + status + (body == null || body.isBlank() ? "" : ": " + abbreviate(body.strip()));
            if (status == 408 || status == 425 || status == 429 || status >= 500) {
                return retry(status, parseRetryAfter(retryAfterHeader), why);
            }
            return giveUp(status, status == 410 ? why + " (the receiver is gone; not retried)" : why);
        }

        static Duration parseRetryAfter(String header) {
            if (header == null || header.isBlank()) {
                return null;
            }
            try {
                return Duration.ofSeconds(Long.parseLong(header.strip()));
            } catch (NumberFormatException notSeconds) {
                try {
                    var when = java.time.ZonedDateTime.parse(header.strip(), java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME);
                    Duration wait = Duration.between(java.time.Instant.now(), when.toInstant());
                    return wait.isNegative() ? Duration.ZERO : wait;
                } catch (java.time.format.DateTimeParseException e) {
                    return null;
                }
            }
        }

        private static String abbreviate(String text) {
            return Excerpt.of(text, 201);
        }
    }
}
