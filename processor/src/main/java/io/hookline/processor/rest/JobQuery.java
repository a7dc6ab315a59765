package io.hookline.processor.rest;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import io.hookline.processor.alerts.AlertLogic;
import io.hookline.processor.react.JobIndex;
import io.hookline.runtime.text.Excerpt;
import io.hookline.schema.JobState;
import io.hookline.schema.RunSummary;

/**
 * The filters of the job list (what the dashboard's overview sends): exact source, kind, host and status, and a text
 * that must appear in the job's key, name or host (any case); and the run calendar's length and time zone.
 */
public record JobQuery(String source, String kind, String host, String status, String text, int calendarDays,
        ZoneId zone) {

    public static final Set<String> STATUSES = Set.of("ok", "warning", "failing", "running", "new");
    public static final Set<String> KINDS = Set.of("xsibackup", "retrospect", "ping", "proxmox", "cloudevents",
            "generic", "agent", "unknown");
    static final int MAX_TEXT = 200;
    static final int MAX_DAYS = 62;

    /** Parsed and checked: {@code problem} names what is wrong, else null. */
    record Parsed(JobQuery query, String problem) {
    }

    /** A whole number as a query gives it, or null when it is none (or out of an int's range). */
    static Integer number(String text) {
        if (text == null || text.length() > 11) {
            return null;
        }
        try {
            return Integer.valueOf(text.strip());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * The page size {@code ?limit=} asks for ({@code fallback} without one), or null when it is not a whole number
     * from 1 to {@link JobsResource#MAX_PAGE}; {@link #badPageSize} then says so.
     */
    static Integer pageSize(String limitText, int fallback) {
        if (limitText == null) {
            return fallback;
        }
        Integer limit = number(limitText);
        return limit == null || limit < 1 || limit > JobsResource.MAX_PAGE ? null : limit;
    }

    static String badPageSize(String limitText) {
        return "limit must be a whole number from 1 to " + JobsResource.MAX_PAGE + ", not '" + Excerpt.quoted(limitText) + "'";
    }

    static Parsed parse(String source, String kind, String host, String status, String text, String calendarText,
            String tz, ZoneId defaultZone) {
        Integer calendar = number(calendarText);
        if (calendarText != null && calendar == null) {
            return new Parsed(null, "calendar is the number of days to show, from 1 to " + MAX_DAYS + ", not '"
                    + Excerpt.quoted(calendarText) + "'");
        }
        for (String[] field : new String[][] {{"source", source}, {"host", host}, {"q", text}, {"kind", kind}}) {
            if (field[1] != null && field[1].length() > MAX_TEXT) {
                return new Parsed(null, field[0] + " is " + field[1].length() + " characters long; at most " + MAX_TEXT);
            }
        }
        if (status != null && !status.isEmpty() && !STATUSES.contains(status)) {
            return new Parsed(null, "status must be one of " + STATUSES.stream().sorted().toList() + ", not '"
                    + status + "'");
        }
        if (kind != null && !kind.isEmpty() && !KINDS.contains(kind)) {
            return new Parsed(null, "kind must be one of " + KINDS.stream().sorted().toList() + ", not '" + kind + "'");
        }
        int days = calendar == null ? 0 : calendar;
        if (days < 0 || days > MAX_DAYS) {
            return new Parsed(null, "calendar is the number of days to show, from 1 to " + MAX_DAYS + ", not " + days);
        }
        ZoneId zone = defaultZone;
        if (tz != null && !tz.isEmpty()) {
            try {
                zone = tz.length() > 64 ? null : ZoneId.of(tz);
            } catch (DateTimeException e) {
                zone = null;
            }
            if (zone == null) {
                return new Parsed(null, "tz '" + Excerpt.of(tz, 65)
                        + "' is not a time zone (e.g. Europe/Berlin or UTC)");
            }
        }
        return new Parsed(new JobQuery(blank(source), blank(kind), blank(host), blank(status),
                blank(text) == null ? null : text.strip().toLowerCase(Locale.ROOT), days, zone), null);
    }

    private static String blank(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    boolean filters() {
        return source != null || kind != null || host != null || status != null || text != null;
    }

    /** Whether a job of these facets passes the exact filters (source, kind, host, status). */
    boolean matches(JobIndex.Facets facets) {
        return (source == null || source.equals(facets.source())) && (kind == null || kind.equals(facets.kind()))
                && (host == null || host.equals(facets.host())) && (status == null || status.equals(facets.status()));
    }

    /**
     * Whether the text is in the job's key, name or host, from what the index keeps: {@code ownName} is the name in
     * lower case where the key does not already contain it (else null). True without a text.
     */
    boolean finds(String key, JobIndex.Facets facets, String ownName) {
        return text == null || key.toLowerCase(Locale.ROOT).contains(text) || ownName != null && ownName.contains(text)
                || facets.host() != null && facets.host().toLowerCase(Locale.ROOT).contains(text);
    }

    boolean matches(JobState state) {
        if (source != null && !source.equals(state.getSourceName())) {
            return false;
        }
        if (kind != null && !kind.equals(state.getSourceKind().name().toLowerCase(Locale.ROOT))) {
            return false;
        }
        if (host != null && !host.equals(state.getHost())) {
            return false;
        }
        if (status != null && !status.equals(JobView.status(state))) {
            return false;
        }
        if (text != null) {
            String name = state.getJobName() == null ? "" : state.getJobName();
            String where = state.getHost() == null ? "" : state.getHost();
            return state.getJobKey().toLowerCase(Locale.ROOT).contains(text)
                    || name.toLowerCase(Locale.ROOT).contains(text) || where.toLowerCase(Locale.ROOT).contains(text);
        }
        return true;
    }

    /** The job's runs as chart points, oldest first, each with the usual values the anomaly rule saw before it. */
    static List<JobView.PointView> series(JobState state) {
        List<RunSummary> newestFirst = state.getRecentRuns();
        List<JobView.PointView> points = new ArrayList<>(newestFirst.size());
        for (int i = newestFirst.size() - 1; i >= 0; i--) {
            RunSummary run = newestFirst.get(i);
            List<RunSummary> before = AlertLogic.successful(newestFirst.subList(i + 1, newestFirst.size()));
            points.add(new JobView.PointView(run.getRunId(), run.getOutcome().name().toLowerCase(Locale.ROOT),
                    run.getStartedAt() != null ? run.getStartedAt() : run.getFinishedAt(), run.getDurationMs(),
                    run.getBytes(), run.getFiles(),
                    AlertLogic.median(before.stream().map(RunSummary::getDurationMs).toList()),
                    AlertLogic.median(before.stream().map(RunSummary::getBytes).toList())));
        }
        return points;
    }
}
