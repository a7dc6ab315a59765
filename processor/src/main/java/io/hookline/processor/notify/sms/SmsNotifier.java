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
import io.hookline.processor.rules.Receiver;

/**
 * SMS through any HTTP gateway: the receiver's method, URL, headers and body template, in which {{to}},
 * {{text}}, {{text_url}} (URL-encoded), {{text_json}} (JSON-escaped) and {{alert_key}} (the group's key: the alert key unless the route groups) are
 * replaced. The text is cut
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
        Receiver receiver = notification.receiver();
        String text = text(notification, Integer.parseInt(receiver.option("max-length", "320")));
        Map<String, String> values = Map.of(
                "{{to}}", receiver.option("to"),
                "{{text}}", text,
                "{{text_url}}", URLEncoder.encode(text, StandardCharsets.UTF_8),
                "{{text_json}}", text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n"),
                "{{alert_key}}", notification.groupKey());
        String url = fill(receiver.option("url"), values, true);
        String body = fill(receiver.option("body"), values, false);
        String method = receiver.option("method", "POST").toUpperCase(java.util.Locale.ROOT);
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(receiver.timeout())
                .method(method, method.equals("GET") ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        receiver.headers().forEach(request::header);
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

    private static String fill(String template, Map<String, String> values, boolean inUrl) {
        String filled = template;
        for (var value : values.entrySet()) {
            String replacement = inUrl && !value.getKey().equals("{{text_url}}")
                    ? URLEncoder.encode(value.getValue(), StandardCharsets.UTF_8) : value.getValue();
            filled = filled.replace(value.getKey(), replacement);
        }
        return filled;
    }
}
