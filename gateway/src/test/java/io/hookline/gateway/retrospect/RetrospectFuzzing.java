package io.hookline.gateway.retrospect;

import java.time.Instant;
import java.util.List;

import io.hookline.gateway.source.Source;
import io.hookline.schema.BackupEvent;
import io.hookline.schema.RawRequest;

/** The Retrospect mapper, reachable from the fuzz tests' package. */
public final class RetrospectFuzzing {

    private RetrospectFuzzing() {
    }

    public static BackupEvent toEvent(Source source, String eventName, List<String> arguments, String host,
            Instant receivedAt, RawRequest raw) {
        return RetrospectHook.toEvent(source, eventName, arguments, host, receivedAt, raw, null, null);
    }
}
