package io.hookline.processor.notify.ntfy;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import io.hookline.processor.notify.Messages;
import io.hookline.processor.notify.Notification;
import io.hookline.processor.notify.Notifier;
import io.hookline.schema.AlertStatus;
import io.hookline.schema.Severity;

/** ntfy: the summary as the message, the headline as Title, priority and tags from the alert. */
@ApplicationScoped
public class NtfyNotifier implements Notifier {

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Override
    public String type() {
        return "ntfy";
    }

    @Override
    public Result send(Notification notification) {
        var alert = notification.lead();
        boolean resolved = alert.getStatus() == AlertStatus.RESOLVED;
        NtfyConfig config = notification.receiver().config(NtfyConfig.class);
        String priority = config.priority() != null ? config.priority()
                : resolved ? "default" : alert.getSeverity() == Severity.CRITICAL ? "urgent" : "high";
        HttpRequest.Builder request = HttpRequest.newBuilder(config.url())
                .timeout(notification.receiver().timeout())
                .header("Title", ascii(Messages.headline(notification)))
                .header("Priority", priority)
                .header("Tags", resolved ? "white_check_mark" : alert.getSeverity() == Severity.CRITICAL ? "rotating_light" : "warning")
                .header("X-Hookline-Id", notification.id())
                .POST(HttpRequest.BodyPublishers.ofString(body(notification)));
        if (config.token() != null) {
            request.header("Authorization", "Bearer " + config.token());
        }
        try {
            HttpResponse<String> response = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return Result.ofHttp(response.statusCode(), response.headers().firstValue("Retry-After").orElse(null), response.body());
        } catch (java.io.IOException e) {
            return Result.retry(null, null, "cannot reach ntfy (" + e.getClass().getSimpleName() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Result.retry(null, null, "interrupted");
        }
    }

    /** The summary of one alert; a line per alert for a group. */
    static String body(Notification notification) {
        return notification.grouped() ? String.join("\n", Messages.lines(notification)) : notification.lead().getSummary();
    }

    /** HTTP header values must be ASCII; ntfy titles are short anyway. */
    private static String ascii(String text) {
        String clean = text.replaceAll("[^\\x20-\\x7E]", "?");
        return clean.length() > 250 ? clean.substring(0, 247) + "..." : clean;
    }
}
