package io.hookline.processor.notify.sms;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.hookline.processor.notify.Messages;
import io.hookline.processor.notify.Notification;
import io.hookline.processor.notify.Notifier;

/**
 * SMS through any HTTP gateway: the receiver's method, URL, headers and body template, in which {{to}},
 * {{text}}, {{text_url}} (URL-encoded), {{text_json}} (JSON-escaped) and {{alert_key}} (the group's key: the alert
 * key unless the route groups) are replaced, each escaped for where it lands (see {@link #fill}). The text is cut
 * to {@code max-length} (default 320) so that the gateway never refuses it.
 */
@ApplicationScoped
public class SmsNotifier implements Notifier {

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Override
    public String type() {
        return "sms";
    }

    @Override
    public Result send(Notification notification) {
        SmsConfig config = notification.receiver().config(SmsConfig.class);
        String text = text(notification, config.maxLength());
        Map<String, String> values = Map.of(
                "to", config.to(),
                "text", text,
                "text_url", URLEncoder.encode(text, StandardCharsets.UTF_8),
                "text_json", json(text),
                "alert_key", notification.groupKey());
        String url = fill(config.url(), values, Place.URL);
        String body = fill(config.body(), values, placeOfBody(config));
        String method = config.method();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(notification.receiver().timeout())
                .method(method, method.equals("GET") ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        config.headers().forEach(request::header);
        try {
            HttpResponse<String> response = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return Result.ofHttp(response.statusCode(), response.headers().firstValue("Retry-After").orElse(null), response.body());
        } catch (java.io.IOException e) {
            return Result.retry(null, null, "cannot reach the SMS gateway (" + e.getClass().getSimpleName() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Result.retry(null, null, "interrupted");
        }
    }

    static String text(Notification notification, int maxLength) {
        return Messages.cut(Messages.headline(notification), maxLength, "... " + notification.where());
    }

    /** Where a placeholder's value lands, and so how it is escaped there. */
    enum Place { URL, JSON, FORM, TEXT }

    /** A JSON body (by its content type or its first character), a form, or plain text. */
    static Place placeOfBody(SmsConfig config) {
        String type = config.headers().entrySet().stream().filter(h -> h.getKey().equalsIgnoreCase("Content-Type"))
                .map(Map.Entry::getValue).findFirst().orElse("").toLowerCase(java.util.Locale.ROOT);
        String body = config.body().strip();
        if (type.contains("json") || body.startsWith("{") || body.startsWith("[")) {
            return Place.JSON;
        }
        return type.contains("x-www-form-urlencoded") ? Place.FORM : Place.TEXT;
    }

    /**
     * Fills {@code {{name}}} placeholders in one pass, each value escaped for where it lands: a job named
     * {@code x","to":"+1900...} stays inside its JSON string, a tab stays valid JSON, and a value that itself
     * contains {@code {{to}}} is never filled again. {@code text_url} and {@code text_json} are already escaped.
     */
    static String fill(String template, Map<String, String> values, Place place) {
        StringBuilder filled = new StringBuilder(template.length() + 64);
        int at = 0;
        while (at < template.length()) {
            int open = template.indexOf("{{", at);
            int close = open < 0 ? -1 : template.indexOf("}}", open + 2);
            if (open < 0 || close < 0) {
                filled.append(template, at, template.length());
                break;
            }
            String name = template.substring(open + 2, close);
            String value = values.get(name);
            filled.append(template, at, open);
            if (value == null) {
                filled.append(template, open, close + 2);
            } else {
                filled.append(escaped(name, value, place));
            }
            at = close + 2;
        }
        return filled.toString();
    }

    private static String escaped(String name, String value, Place place) {
        boolean preEscaped = name.equals("text_url") || name.equals("text_json");
        return switch (place) {
            case URL, FORM -> name.equals("text_url") ? value : URLEncoder.encode(value, StandardCharsets.UTF_8);
            case JSON -> preEscaped ? value : json(value);
            case TEXT -> preEscaped ? value : Messages.oneLine(value);
        };
    }

    /** The inside of a JSON string: quotes, backslashes and every control character escaped. */
    static String json(String text) {
        try {
            String quoted = JSON.writeValueAsString(text);
            return quoted.substring(1, quoted.length() - 1);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
}
