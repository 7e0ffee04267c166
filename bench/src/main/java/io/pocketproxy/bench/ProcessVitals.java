package io.pocketproxy.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** This process's heap after a full collection and its open file descriptors: what a soak must give back. */
record ProcessVitals(long heapBytes, long openFiles) {

    static ProcessVitals measure() {
        Runtime runtime = Runtime.getRuntime();
        for (int i = 0; i < 4; i++) {
            System.gc();
        }
        long heap = runtime.totalMemory() - runtime.freeMemory();
        try (Stream<Path> descriptors = Files.list(Path.of("/proc/self/fd"))) {
            return new ProcessVitals(heap, descriptors.count());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot count /proc/self/fd", e);
        }
    }
}
