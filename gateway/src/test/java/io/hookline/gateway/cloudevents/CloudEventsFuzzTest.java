package io.hookline.gateway.cloudevents;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.LinkedHashMap;
import java.util.Map;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonProcessingException;

import io.hookline.gateway.hook.HookRequest;

/**
 * A CloudEvent in binary mode (ce- headers), structured mode, or the generic JSON body, as a fuzzer writes it: it
 * is read, or refused as "not JSON" (JsonProcessingException, which the endpoint answers with a sentence); no
 * other exception escapes to become a 500.
 */
class CloudEventsFuzzTest {

    static final String[] TYPES = {"application/json", "application/cloudevents+json", "text/plain", ""};

    @FuzzTest(maxDuration = "5s")
    void anyBodyAndHeadersAreReadOrRefusedAsNotJson(FuzzedDataProvider data) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (data.consumeBoolean()) {
            headers.put("ce-specversion", data.consumeString(8));
            headers.put("ce-id", data.consumeString(20));
            headers.put("ce-source", data.consumeString(20));
            headers.put("ce-type", data.consumeString(40));
            headers.put("ce-" + data.consumeString(10), data.consumeString(30));
        }
        String contentType = data.pickValue(TYPES);
        String body = data.consumeRemainingAsString();
        HookRequest request = new HookRequest("POST", "/events", null, headers, body, "10.0.0.3");
        try {
            assertNotNull(CloudEventHook.read(request, body, contentType));
        } catch (JsonProcessingException notJson) {
            assertNotNull(notJson.getOriginalMessage());
        }
    }
}
