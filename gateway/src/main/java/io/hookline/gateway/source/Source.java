package io.hookline.gateway.source;

import java.time.ZoneId;

import io.hookline.schema.SourceKind;

/** A configured source that hooks authenticate as. Its token is not kept here. */
public record Source(String name, SourceKind kind, String ack, ZoneId zone) {
}
