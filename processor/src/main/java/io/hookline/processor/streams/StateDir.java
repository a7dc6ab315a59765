package io.hookline.processor.streams;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The processor's state folder (Kafka Streams' stores), checked before Kafka Streams starts: a folder the container's
 * user cannot create or write (a volume mounted without {@code fsGroup}, an image without the folder) otherwise ends
 * the start with Kafka Streams' "base state directory ... doesn't exist and couldn't be created" deep in a stack
 * trace, or, when only writing fails, with a stream thread that dies on its first store.
 */
public final class StateDir {

    private StateDir() {
    }

    /** Creates the folder if it is missing and writes a file in it; throws with what to do when either fails. */
    public static void check(Path folder) {
        String cannot = "the processor's state folder " + folder + " (hookline.state-dir, HOOKLINE_STATE_DIR) ";
        String todo = " (the processor runs as user " + System.getProperty("user.name") + "): mount a volume there that"
                + " this user can write (on Kubernetes the pod's securityContext.fsGroup) or set HOOKLINE_STATE_DIR to"
                + " a folder it can write";
        if (Files.exists(folder) && !Files.isDirectory(folder)) {
            throw new IllegalStateException(cannot + "is a file, not a folder" + todo);
        }
        try {
            Files.createDirectories(folder);
        } catch (IOException | SecurityException e) {
            throw new IllegalStateException(cannot + "cannot be created: " + reason(e) + todo, e);
        }
        try {
            Files.delete(Files.createTempFile(folder, ".hookline-write-check-", ""));
        } catch (IOException | SecurityException e) {
            throw new IllegalStateException(cannot + "cannot be written: " + reason(e) + todo, e);
        }
    }

    private static String reason(Exception e) {
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage());
    }
}
