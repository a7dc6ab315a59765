package io.hookline.gateway.hook;

import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import io.hookline.gateway.KafkaTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;

/**
 * On Linux the gateway's HTTP server runs on epoll, not the JDK's selector (the bench's CPU and memory figures are
 * measured so). Vert.x falls back to the JDK's selector without a word when the native library is missing or does
 * not match Netty's version: this says so instead.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class NativeTransportTest {

    @Inject
    Vertx vertx;

    @Test
    @EnabledOnOs(value = OS.LINUX, architectures = {"amd64", "aarch64"})
    void onLinuxTheHttpServerRunsOnEpoll() {
        assertTrue(vertx.isNativeTransportEnabled(),
                () -> "Vert.x runs on the JDK's selector: " + (vertx.unavailableNativeTransportCause() == null
                        ? "quarkus.vertx.prefer-native-transport is off" : vertx.unavailableNativeTransportCause()));
    }
}
