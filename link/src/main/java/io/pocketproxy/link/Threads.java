package io.pocketproxy.link;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where the background threads of every part come from: daemon threads (a forgotten executor never keeps
 * the process alive), named for their work so a thread dump reads like the design. Plain
 * {@link Thread}s, so the agent stays usable on Android.
 */
public final class Threads {

    private Threads() {}

    /** Daemon threads named {@code name-1}, {@code name-2}, ... in the order they are created. */
    public static ThreadFactory daemon(String name) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
