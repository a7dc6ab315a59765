package io.hookline.processor.notify;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import io.hookline.schema.AlertCondition;
import io.hookline.runtime.commands.CommandEvents;
import io.hookline.schema.AlertEvent;
import io.hookline.schema.Command;
import io.hookline.schema.Severity;
import io.hookline.schema.SourceKind;
import io.hookline.schema.AlertStatus;

/**
 * One message to one receiver about a group of alerts (a single alert unless its route groups): the firing ones
 * first, most severe first, then the resolved ones. Its id is the idempotency key: derived from what it says, so
 * it is the same on every retry and when a restart sends it again.
 */
public record Notification(String id, Receiver receiver, String groupKey, Map<String, String> groupLabels,
        List<AlertEvent> alerts, boolean test, String link, Command command) {

    /** Firing (and repeated) before resolved; then critical before warning before info; then the oldest first. */
    public static final Comparator<AlertEvent> ORDER = Comparator
            .comparing((AlertEvent a) -> a.getStatus() == AlertStatus.RESOLVED)
            .thenComparing(AlertEvent::getSeverity)
            .thenComparing(AlertEvent::getStartsAt)
            .thenComparing(AlertEvent::getAlertKey);

    public Notification {
        if (alerts.isEmpty()) {
            throw new IllegalArgumentException("a notification needs at least one alert");
        }
        alerts = alerts.stream().sorted(ORDER).toList();
        groupLabels = Map.copyOf(groupLabels);
    }

    /** A notification about alerts. */
    public Notification(String id, Receiver receiver, String groupKey, Map<String, String> groupLabels,
            List<AlertEvent> alerts, boolean test, String link) {
        this(id, receiver, groupKey, groupLabels, alerts, test, link, null);
    }

    public static Notification of(Receiver receiver, String groupKey, Map<String, String> groupLabels,
            List<AlertEvent> alerts) {
        return new Notification(idOf(receiver, groupKey, alerts), receiver, groupKey, groupLabels, alerts, false, null);
    }

    /**
     * A chain's webhook action: the command, to a webhook receiver, with the command's id as the idempotency key.
     * Its one alert only describes the command, so that the delivery log, the dead letters and replay treat it as
     * any notification.
     */
    public static Notification forCommand(Receiver receiver, Command command) {
        Instant at = command.getCreatedAt();
        String key = command.getJobKey() + "/" + command.getCommandId();
        String upstream = String.join(", ", command.getCause().getUpstream().stream()
                .map(u -> u.getJobKey() + " " + u.getOutcome().name().toLowerCase(java.util.Locale.ROOT)).toList());
        int slash = command.getJobKey().indexOf('/');
        AlertEvent carrier = AlertEvent.newBuilder()
                .setAlertKey(key)
                .setStatus(AlertStatus.FIRING)
                .setCondition(AlertCondition.OTHER)
                .setSeverity(Severity.INFO)
                .setJobKey(command.getJobKey())
                .setSourceName(command.getJobKey().substring(0, slash))
                .setSourceKind(SourceKind.AGENT)
                .setHost(null)
                .setJob(command.getJobKey().substring(slash + 1))
                .setJobName(null)
                .setSummary(command.getPrune() != null ? "retention " + command.getPrune().getPolicy() + ": "
                        + receiver.name() + " asked to prune " + CommandEvents.pruned(command)
                        : "chain " + command.getCause().getRule() + ": " + receiver.name() + " called after " + upstream)
                .setStartsAt(at)
                .setEndsAt(null)
                .setUpdatedAt(at)
                .setSequence(0)
                .setEventIds(List.of())
                .setLabels(Map.of("command-id", command.getCommandId()))
                .build();
        return new Notification(command.getCommandId(), receiver, key, Map.of(), List.of(carrier), false, null, command);
    }

    /** The same notification, pointing at {@code link} (its alerts on the processor's API), or null for none. */
    public Notification withLink(String link) {
        return new Notification(id, receiver, groupKey, groupLabels, alerts, test, link, command);
    }

    /** Where a reader finds every alert of this notification: the link, or the path on the processor. */
    public String where() {
        return link != null ? link : alertsPath(groupKey);
    }

    /** The processor's API path that lists the alerts of a group. */
    public static String alertsPath(String groupKey) {
        return "/api/alerts?group=" + java.net.URLEncoder.encode(groupKey, StandardCharsets.UTF_8);
    }

    /** The alert a one-line message is about: the most severe firing one, or else a resolved one. */
    public AlertEvent lead() {
        return alerts.get(0);
    }

    public boolean grouped() {
        return alerts.size() > 1 || !groupKey.equals(lead().getAlertKey());
    }

    public long firingCount() {
        return alerts.stream().filter(a -> a.getStatus() != AlertStatus.RESOLVED).count();
    }

    /** FIRING while any alert of it fires (REPEATED when the lead is a repeat), else RESOLVED. */
    public AlertStatus status() {
        return lead().getStatus();
    }

    public static String idOf(Receiver receiver, String groupKey, List<AlertEvent> alerts) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update((receiver.name() + "\u0000" + groupKey).getBytes(StandardCharsets.UTF_8));
            alerts.stream().sorted(Comparator.comparing(AlertEvent::getAlertKey)).forEach(a -> digest.update(
                    ("\u0000" + a.getAlertKey() + "\u0000" + a.getSequence()).getBytes(StandardCharsets.UTF_8)));
            return "msg_" + HexFormat.of().formatHex(digest.digest(), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
