package io.hookline.processor.notify;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Map;

/** The HTTP call the webhook-style channels share: a time-out per receiver, errors turned into retry decisions. */
public final class HttpPost {

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private HttpPost() {
    }

    public static Notifier.Result json(URI url, String body, Map<String, String> headers, Duration timeout) {
        HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(timeout)
                .header("Content-Type", "application/json").header("User-Agent", "Hookline")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        try {
            HttpResponse<String> response = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return Notifier.Result.ofHttp(response.statusCode(), response.headers().firstValue("Retry-After").orElse(null),
                    response.body());
        } catch (HttpTimeoutException e) {
            return Notifier.Result.retry(null, null, "no answer within " + timeout.toSeconds() + " s");
        } catch (IOException e) {
            return Notifier.Result.retry(null, null, "cannot reach the receiver (" + e.getClass().getSimpleName() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Notifier.Result.retry(null, null, "interrupted");
        }
    }
}
