package io.hookline.processor.alerts;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;

import org.apache.kafka.streams.processor.TaskId;

import io.hookline.schema.AlertEvent;
import io.hookline.schema.AlertStatus;

/**
 * The open alerts (firing or repeated) of the tasks this instance runs, in the order {@code /api/alerts} lists them
 * (the latest change first), kept as each step is recorded: what the dashboard's firing list, its count and
 * hookline_alerts_firing read without walking and decoding every alert in the store (50-80 ms with 50,000 firing,
 * on every redraw of the overview). Each task fills its part from its store when it starts; a task that leaves
 * this instance takes its part along.
 */
public final class FiringAlerts {

    /** One task's open alerts: their places in the list, and each one's place by its key. */
    static final class Part {
        final NavigableSet<AlertOrder> order = new ConcurrentSkipListSet<>();
        final Map<String, AlertOrder> byKey = new ConcurrentHashMap<>();

        /** {@code step} was recorded under its key: it takes its place, or leaves the list when it resolved. */
        void follow(AlertEvent step) {
            AlertOrder before = byKey.get(step.getAlertKey());
            AlertOrder now = isOpen(step) ? AlertOrder.of(step) : null;
            if (before != null && !before.equals(now)) {
                order.remove(before);
            }
            if (now == null) {
                byKey.remove(step.getAlertKey());
            } else {
                order.add(now);
                byKey.put(step.getAlertKey(), now);
            }
        }
    }

    private final Map<TaskId, Part> tasks = new ConcurrentHashMap<>();

    /** Firing or repeated: open. */
    public static boolean isOpen(AlertEvent alert) {
        return alert != null && (alert.getStatus() == AlertStatus.FIRING || alert.getStatus() == AlertStatus.REPEATED);
    }

    /** How many alerts are open on this instance. */
    public long count() {
        return tasks.values().stream().mapToLong(part -> part.byKey.size()).sum();
    }

    /**
     * The places of the first {@code count} open alerts after {@code after} (from the first, when null) on this
     * instance, in the list's order: at most {@code count} read from each task.
     */
    public List<AlertOrder> first(AlertOrder after, int count) {
        TreeSet<AlertOrder> first = new TreeSet<>();
        for (Part part : tasks.values()) {
            NavigableSet<AlertOrder> from = after == null ? part.order : part.order.tailSet(after, false);
            int taken = 0;
            for (AlertOrder place : from) {
                if (taken++ == count) {
                    break;
                }
                first.add(place);
                if (first.size() > count) {
                    first.pollLast();
                }
            }
        }
        return new ArrayList<>(first);
    }

    void start(TaskId task, Part part) {
        tasks.put(task, part);
    }

    void stop(TaskId task, Part part) {
        tasks.remove(task, part);
    }
}
