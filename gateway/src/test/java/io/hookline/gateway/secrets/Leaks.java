package io.hookline.gateway.secrets;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Looks for a planted secret in text as an attacker would: percent-encoding and base64 layers undone. */
public final class Leaks {

    private static final Pattern BASE64 = Pattern.compile("[A-Za-z0-9+/_-]{8,}={0,2}");

    private Leaks() {
    }

    /** Every decoding of the text that holds the secret (empty when none does). */
    public static List<String> find(String text, String secret) {
        List<String> found = new ArrayList<>();
        search(text, secret, 0, found);
        return found;
    }

    private static void search(String text, String secret, int depth, List<String> found) {
        if (text == null || depth > 4) {
            return;
        }
        if (text.contains(secret)) {
            int at = text.indexOf(secret);
            found.add("..." + text.substring(Math.max(0, at - 150), Math.min(text.length(), at + secret.length() + 50))
                    + "...");
            return;
        }
        if (text.indexOf('%') >= 0) {
            try {
                String decoded = URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
                if (!decoded.equals(text)) {
                    search(decoded, secret, depth + 1, found);
                }
            } catch (IllegalArgumentException ignored) {
                // not percent-encoded after all
            }
        }
        Matcher runs = BASE64.matcher(text);
        while (runs.find()) {
            String run = runs.group().replace('-', '+').replace('_', '/');
            // Every alignment: a secret may start anywhere inside a longer run.
            for (int skip = 0; skip < 4 && skip < run.length(); skip++) {
                String part = run.substring(skip).replace("=", "");
                part = part.substring(0, part.length() - part.length() % 4);
                if (part.isEmpty()) {
                    continue;
                }
                try {
                    search(new String(Base64.getDecoder().decode(part), StandardCharsets.ISO_8859_1), secret,
                            depth + 1, found);
                } catch (IllegalArgumentException ignored) {
                    // not base64
                }
            }
        }
    }
}
