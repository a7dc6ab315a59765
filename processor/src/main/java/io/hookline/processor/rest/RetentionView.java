package io.hookline.processor.rest;

import java.util.LinkedHashMap;
import java.util.Map;

import io.hookline.processor.retention.Policy;
import io.hookline.processor.rules.RetentionRule;

/** A retention policy as the API shows it: the keys of the rules file, and where it is written. */
final class RetentionView {

    private RetentionView() {
    }

    static Map<String, Object> of(RetentionRule rule) {
        Policy p = rule.policy();
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("match", rule.pattern());
        view.put("line", rule.line());
        view.put("style", p.style().name().toLowerCase(java.util.Locale.ROOT));
        count(view, "keep-last", p.last());
        count(view, "keep-hourly", p.hourly());
        count(view, "keep-daily", p.daily());
        count(view, "keep-weekly", p.weekly());
        count(view, "keep-monthly", p.monthly());
        count(view, "keep-yearly", p.yearly());
        span(view, "keep-within", p.within());
        span(view, "keep-within-hourly", p.withinHourly());
        span(view, "keep-within-daily", p.withinDaily());
        span(view, "keep-within-weekly", p.withinWeekly());
        span(view, "keep-within-monthly", p.withinMonthly());
        span(view, "keep-within-yearly", p.withinYearly());
        if (!p.tags().isEmpty()) {
            view.put("keep-tag", p.tags());
        }
        if (p.zone() != null) {
            view.put("time-zone", p.zone().getId());
        }
        view.put("keep-at-least", rule.keepAtLeast());
        view.put("enforce", rule.enforce());
        if (rule.prune() != null) {
            Map<String, Object> prune = new LinkedHashMap<>();
            if (rule.prune().isWebhook()) {
                prune.put("webhook", rule.prune().webhook());
            } else {
                prune.put("agent", rule.prune().agent());
                prune.put("action", rule.prune().action());
            }
            prune.put("job", rule.prune().jobKey());
            view.put("prune", prune);
        }
        return view;
    }

    private static void count(Map<String, Object> view, String key, int count) {
        if (count == Policy.UNLIMITED) {
            view.put(key, "unlimited");
        } else if (count > 0) {
            view.put(key, count);
        }
    }

    private static void span(Map<String, Object> view, String key, io.hookline.processor.retention.SpanDuration span) {
        if (span != null && !span.isZero()) {
            view.put(key, span.toString());
        }
    }
}
