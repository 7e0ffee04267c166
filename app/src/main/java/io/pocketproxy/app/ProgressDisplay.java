package io.pocketproxy.app;

import io.pocketproxy.server.importing.Progress;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * A long phase's progress on standard error: on a terminal a bar redrawn in place, with count, rate and time left;
 * elsewhere (a log, a pipe) one plain line every {@code interval}, and one when the phase ends.
 */
final class ProgressDisplay implements Progress {

    private static final int BAR_WIDTH = 30;
    private static final Duration REDRAW = Duration.ofMillis(200);
    /** Erases what is left of the line after the bar, from a longer line drawn before. */
    private static final String CLEAR_TO_END_OF_LINE = "\u001b[K";

    private final PrintWriter out;
    private final boolean terminal;
    private final Duration interval;
    private final Clock clock;
    private String phase;
    private int total;
    private int done;
    private Instant start;
    private Instant lastShown;

    ProgressDisplay(PrintWriter out, boolean terminal, Duration interval, Clock clock) {
        this.out = out;
        this.terminal = terminal;
        this.interval = terminal ? REDRAW : interval;
        this.clock = clock;
    }

    static ProgressDisplay forStandardError(PrintWriter err, Duration interval) {
        return new ProgressDisplay(err, System.console() != null, interval, Clock.systemUTC());
    }

    @Override
    public void start(String phase, int total) {
        this.phase = phase;
        this.total = total;
        this.done = 0;
        this.start = clock.instant();
        this.lastShown = start;
    }

    @Override
    public void advance(int done) {
        this.done = done;
        Instant now = clock.instant();
        if (Duration.between(lastShown, now).compareTo(interval) >= 0) {
            lastShown = now;
            show(now, false);
        }
    }

    @Override
    public void finish() {
        if (total > 0) {
            show(clock.instant(), true);
        }
    }

    private void show(Instant now, boolean last) {
        double seconds = Math.max(1e-3, Duration.between(start, now).toNanos() / 1e9);
        double rate = done / seconds;
        String left = rate > 0 && done < total
                ? ", about " + format(Duration.ofSeconds((long) ((total - done) / rate))) + " left"
                : "";
        String figures = String.format(Locale.ROOT, "%s %d/%d (%.1f/s%s)", phase, done, total, rate, left);
        if (terminal) {
            int filled = total == 0 ? BAR_WIDTH : (int) ((long) BAR_WIDTH * done / total);
            out.print("\r[" + "#".repeat(filled) + " ".repeat(BAR_WIDTH - filled) + "] " + figures
                    + CLEAR_TO_END_OF_LINE);
            if (last) {
                out.println();
            }
        } else {
            out.println(figures);
        }
        out.flush();
    }

    private static String format(Duration duration) {
        long seconds = duration.toSeconds();
        return seconds >= 3600
                ? String.format("%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
                : String.format("%d:%02d", seconds / 60, seconds % 60);
    }
}
