package io.pocketproxy.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Resident memory (VmRSS in /proc) of processes, summed: the one memory measure a JVM and sshd share. */
final class ResidentMemory {

    private ResidentMemory() {}

    /** In bytes; a process that has exited counts nothing. */
    static long of(List<ProcessHandle> processes) {
        long total = 0;
        for (ProcessHandle process : processes) {
            total += of(process.pid());
        }
        return total;
    }

    /**
     * In bytes, the anonymous part alone (RssAnon): resident memory less the pages of mapped files (the JVM's
     * library, its class archive, the jar), which the kernel can drop and other processes share.
     */
    static long anonymousOf(ProcessHandle process) {
        return field(process.pid(), "RssAnon:");
    }

    private static long of(long pid) {
        return field(pid, "VmRSS:");
    }

    private static long field(long pid, String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith(name)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024; // "VmRSS:   1234 kB"
                }
            }
            return 0;
        } catch (IOException e) {
            return 0;
        }
    }
}
