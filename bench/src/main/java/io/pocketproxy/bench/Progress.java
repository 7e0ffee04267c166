package io.pocketproxy.bench;

import java.util.Locale;

/**
 * Progress goes to standard error, with the seconds since the bench started, so that standard output holds
 * only the tables (bench/run > note.md).
 */
final class Progress {

    private static final long START = System.nanoTime();

    private Progress() {}

    static void say(String message) {
        System.err.printf(Locale.ROOT, "[%6.1f s] %s%n", seconds(), message);
    }

    static double seconds() {
        return (System.nanoTime() - START) / 1e9;
    }
}
