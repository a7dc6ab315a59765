package io.hookline.runtime.topics;

import io.smallrye.config.WithDefault;

/**
 * {@code hookline.topics.*}, the same for both services: the names' prefix, and whether and how a service creates
 * the topics at start (off where Strimzi's topic operator owns them).
 */
public interface TopicSettings {

    @WithDefault("hookline.")
    String prefix();

    @WithDefault("true")
    boolean create();

    @WithDefault("3")
    int partitions();

    @WithDefault("1")
    short replicationFactor();

    /** How long hookline.events keeps records; -1 keeps them for ever (the log is the record of every run). */
    @WithDefault("-1")
    long eventsRetentionMs();
}
