package io.hookline.processor.notify.teams;

import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.hookline.processor.notify.HttpPost;
import io.hookline.processor.notify.Messages;
import io.hookline.processor.notify.Notification;
import io.hookline.processor.notify.Notifier;

/** Microsoft Teams incoming webhook (workflow): an Adaptive Card with the headline and the alert key. */
@ApplicationScoped
public class TeamsNotifier implements Notifier {

    static final int LIMIT = 4000;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String type() {
        return "teams";
    }

    @Override
    public Result send(Notification notification) {
        return HttpPost.json(notification.receiver().config(TeamsConfig.class).url(), body(notification), Map.of(), notification.receiver().timeout());
    }

    /**
     * Hook text as an Adaptive Card shows it literally: the markdown it reads (emphasis, links, lists, headings)
     * is escaped with a backslash, so a job's error line cannot turn into a link or a heading.
     */
    static String escape(String text) {
        StringBuilder escaped = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean lineStart = i == 0 || text.charAt(i - 1) == '\n';
            if ("\\*_[]()#>~`".indexOf(c) >= 0 || lineStart && (c == '-' || c == '+')) {
                escaped.append('\\');
            }
            escaped.append(c);
        }
        return escaped.toString();
    }

    static String body(Notification notification) {
        String headline = Messages.cut(escape(Messages.headline(notification)), LIMIT,
                "... (cut; see " + notification.where() + ")");
        String details = notification.grouped()
                ? Messages.cut(escape(String.join("\n\n", Messages.lines(notification))), LIMIT,
                        "... (cut; every alert: " + notification.where() + ")")
                : escape(notification.lead().getAlertKey());
        Map<String, Object> card = Map.of(
                "type", "AdaptiveCard",
                "$schema", "http://adaptivecards.io/schemas/adaptive-card.json",
                "version", "1.4",
                "body", List.of(
                        Map.of("type", "TextBlock", "text", headline, "wrap", true, "weight", "Bolder"),
                        Map.of("type", "TextBlock", "text", details, "isSubtle", true, "wrap", true)));
        Map<String, Object> message = Map.of("type", "message", "attachments", List.of(
                Map.of("contentType", "application/vnd.microsoft.card.adaptive", "content", card)));
        try {
            return JSON.writeValueAsString(message);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
