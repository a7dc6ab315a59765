package io.hookline.processor.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** A delivery count below one stops the start with a sentence naming the setting, not a pool that sends nothing. */
class DeliverySettingsTest {

    @Test
    void threadsAndPerReceiverBelowOneAreRefusedByName() {
        assertEquals("hookline.delivery.threads must be at least 1, not 0", assertThrows(IllegalArgumentException.class,
                () -> DeliveryPipeline.atLeastOne("hookline.delivery.threads", 0)).getMessage());
        assertEquals("hookline.delivery.per-receiver must be at least 1, not -2147483648",
                assertThrows(IllegalArgumentException.class,
                        () -> DeliveryPipeline.atLeastOne("hookline.delivery.per-receiver", Integer.MIN_VALUE)).getMessage());
        DeliveryPipeline.atLeastOne("hookline.delivery.threads", 1);
    }
}
