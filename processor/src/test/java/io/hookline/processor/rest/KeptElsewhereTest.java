package io.hookline.processor.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * What another instance answers for a job page's fan-in commands: a command the page can sort and look up, or a
 * reason that makes the page a 503 naming the instance (an instance of another version), never a 500.
 */
class KeptElsewhereTest {

    final ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule());

    CommandView read(String body) throws Exception {
        return JobsResource.keptElsewhere(json, json.readTree(body), "10.0.0.2:8081", "esxi/nas1/nightly");
    }

    @Test
    void aCommandWithItsIdJobAndTimeIsRead() throws Exception {
        CommandView command = read("{\"commandId\":\"cmd_1\",\"rule\":\"offsite\",\"jobKey\":\"nas01/offsite-copy\","
                + "\"createdAt\":\"2026-12-05T01:00:00Z\",\"depth\":1}");
        assertEquals("cmd_1", command.commandId());
        assertEquals("nas01/offsite-copy", command.jobKey());
    }

    @Test
    void anItemWithoutWhatThePageNeedsIsRefusedNamingWhatIsMissing() {
        Peers.Unreachable missing = assertThrows(Peers.Unreachable.class,
                () -> read("{\"rule\":\"offsite\",\"jobKey\":\"nas01/offsite-copy\"}"));
        assertEquals("instance 10.0.0.2:8081 answered a command esxi/nas1/nightly triggered without commandId, "
                + "createdAt", missing.getMessage());
        assertThrows(Peers.Unreachable.class, () -> read("null"));
        Peers.Unreachable notACommand = assertThrows(Peers.Unreachable.class,
                () -> read("{\"commandId\":\"cmd_1\",\"createdAt\":\"yesterday\"}"));
        assertTrue(notACommand.getMessage().startsWith("instance 10.0.0.2:8081 answered the commands esxi/nas1/nightly"
                + " triggered with what is not a command: "), notACommand.getMessage());
        assertThrows(Peers.Unreachable.class, () -> read("[1,2]"));
    }
}
