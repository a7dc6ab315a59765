package io.hookline.processor.dispatch;

import io.hookline.processor.notify.Notification;

/** Where a message points its reader: the alerts of its group on the processor's public address, if it has one. */
record Links(String publicUrl) {

    static Links of(java.util.Optional<String> publicUrl) {
        return new Links(publicUrl.map(url -> url.replaceAll("/+$", "")).orElse(null));
    }

    /** The link, or null when the processor has no public address configured. */
    String to(String groupKey) {
        return publicUrl == null ? null : publicUrl + Notification.alertsPath(groupKey);
    }
}
