package io.hookline.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Removing a folder that a broker, a service or a test wrote into, once nothing writes there any more. */
public final class Folders {

    private Folders() {
    }

    /**
     * Deletes {@code root} and everything in it; a path that is already gone (or goes while this walks) is fine.
     * Throws {@link UncheckedIOException} naming the path that could not be deleted.
     */
    public static void delete(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    throw new UncheckedIOException("could not delete " + path, e);
                }
            });
        } catch (NoSuchFileException e) {
            // Gone before the walk began: deleted by another hook of the same JVM.
        } catch (IOException e) {
            throw new UncheckedIOException("could not walk " + root, e);
        } catch (UncheckedIOException e) {
            if (!(e.getCause() instanceof NoSuchFileException)) {
                throw e;
            }
            // A part of it went while the walk was under way.
        }
    }
}
