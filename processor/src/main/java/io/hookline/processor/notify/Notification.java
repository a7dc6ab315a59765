package io.hookline.processor.notify;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import io.hookline.processor.rules.Receiver;
import io.hookline.schema.AlertEvent;

/** One alert step for one receiver. Its id is the idempotency key: the same on every retry, and after a restart. */
public record Notification(String id, Receiver receiver, AlertEvent alert, boolean test) {

    public static Notification of(Receiver receiver, AlertEvent alert) {
        return new Notification(idOf(receiver, alert), receiver, alert, false);
    }

    static String idOf(Receiver receiver, AlertEvent alert) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest((alert.getAlertKey() + "\u0000"
                    + alert.getSequence() + "\u0000" + receiver.name()).getBytes(StandardCharsets.UTF_8));
            return "msg_" + HexFormat.of().formatHex(hash, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
