package io.hookline.processor.notify.sms;

import java.util.Map;
import java.util.Set;

import io.hookline.processor.notify.ChannelConfig;
import io.hookline.processor.notify.ReceiverOptions;

/**
 * Any HTTP SMS gateway: {@code url} and {@code body} (templates, see {@link SmsNotifier}), {@code to} (the number),
 * {@code method} (POST, PUT or GET), {@code max-length} of the text (default 320) and {@code headers}.
 */
public record SmsConfig(String url, String to, String body, String method, int maxLength, Map<String, String> headers)
        implements ChannelConfig {

    static final Set<String> METHODS = Set.of("post", "put", "get");

    public SmsConfig {
        headers = Map.copyOf(headers);
    }

    public static SmsConfig parse(ReceiverOptions options) {
        String url = options.urlTemplate("url", true);
        String to = options.required("to", "");
        String body = options.required("body", "");
        String method = options.oneOf("method", METHODS, "post");
        int maxLength = options.integer("max-length", 320, 20, 1600);
        Map<String, String> headers = options.entries("headers");
        return url == null || to == null || body == null ? null
                : new SmsConfig(url, to, body, method.toUpperCase(java.util.Locale.ROOT), maxLength, headers);
    }

    @Override
    public String toString() {
        return "sms gateway, " + method;
    }
}
