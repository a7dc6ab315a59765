package io.hookline.processor.notify.email;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

import io.hookline.processor.notify.ChannelConfig;
import io.hookline.processor.notify.ReceiverOptions;

/**
 * SMTP: {@code host} and {@code port} (25), {@code from}, {@code to} (addresses separated by commas),
 * {@code username} and {@code password} (both or neither), {@code starttls}: disabled, optional (default) or required.
 */
public record EmailConfig(String host, int port, String from, List<String> to, String username, String password,
        String starttls) implements ChannelConfig {

    static final Set<String> STARTTLS = Set.of("disabled", "optional", "required");

    public EmailConfig {
        to = List.copyOf(to);
    }

    public static EmailConfig parse(ReceiverOptions options) {
        String host = options.required("host", "");
        int port = options.integer("port", 25, 1, 65_535);
        String from = address(options, "from", options.required("from", ""));
        String toText = options.required("to", "");
        List<String> to = toText == null ? List.of()
                : Arrays.stream(toText.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
        to.forEach(each -> address(options, "to", each));
        String username = options.text("username");
        String password = options.text("password");
        if ((username == null) != (password == null)) {
            options.problem(username == null ? "password" : "username", "needs both username and password, or neither");
        }
        String starttls = options.oneOf("starttls", STARTTLS, "optional");
        return host == null || from == null || to.isEmpty() ? null
                : new EmailConfig(host, port, from, to, username, password, starttls);
    }

    private static String address(ReceiverOptions options, String key, String address) {
        // A bare address, or one with a display name: Hookline <hookline@example.org>.
        String text = address == null ? null : address.strip();
        if (text != null && !text.matches("[^@\\s<>]+@[^@\\s<>]+")
                && !text.matches("[^<>@\\p{Cntrl}]*<[^@\\s<>]+@[^@\\s<>]+>")) {
            options.problem(key, key + " '" + address + "' is not an e-mail address");
        }
        return address;
    }

    @Override
    public String toString() {
        return "smtp " + host + ":" + port + " to " + to;
    }
}
