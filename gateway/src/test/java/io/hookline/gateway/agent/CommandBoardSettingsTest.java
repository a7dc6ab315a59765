package io.hookline.gateway.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.reflect.Proxy;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.hookline.gateway.GatewayConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** A gateway whose agents could never be given a command does not start, and says which setting is wrong. */
class CommandBoardSettingsTest {

    /** A configuration whose every value is the default but hookline.agents.max-commands-per-poll. */
    static GatewayConfig withMaxCommandsPerPoll(int max) {
        GatewayConfig.Agents agents = (GatewayConfig.Agents) Proxy.newProxyInstance(
                GatewayConfig.Agents.class.getClassLoader(), new Class<?>[] {GatewayConfig.Agents.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("maxCommandsPerPoll")) {
                        return max;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
        return (GatewayConfig) Proxy.newProxyInstance(GatewayConfig.class.getClassLoader(),
                new Class<?>[] {GatewayConfig.class}, (proxy, method, args) -> {
                    if (method.getName().equals("agents")) {
                        return agents;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void noCommandsOrFewerAPollIsRefusedAtStart() {
        for (int max : new int[] {0, -1, Integer.MIN_VALUE}) {
            IllegalStateException refused = assertThrows(IllegalStateException.class,
                    () -> new CommandBoard(withMaxCommandsPerPoll(max), Map.of(), new SimpleMeterRegistry()));
            assertEquals("hookline.agents.max-commands-per-poll must be at least 1, not " + max, refused.getMessage());
        }
    }
}
