package io.pocketproxy.app;

import io.pocketproxy.server.importing.Progress;
import java.io.PrintWriter;
import java.time.Duration;

/**
 * A long phase's progress on standard error: on a terminal a bar redrawn in place, with count, rate and time left;
 * elsewhere (a log, a pipe) one plain line every {@code interval}, and one when the phase ends.
 */
final class ProgressDisplay implements Progress {

    private static final int BAR_WIDTH = 30;
    private static final long REDRAW_NANOS = Duration.ofMillis(200).toNanos();

    private final PrintWriter out;
    private final boolean terminal;
    private final long intervalNanos;
    private String phase;
    private int total;
    private int done;
    private long startNanos;
    private long lastShownNanos;

    ProgressDisplay(PrintWriter out, boolean terminal, Duration interval) {
        this.out = out;
        this.terminal = terminal;
        this.intervalNanos = interval.toNanos();
    }

    static ProgressDisplay forStandardError(PrintWriter err, Duration interval) {
        return new ProgressDisplay(err, System.console() != null, interval);
    }

    @Override
    public void start(String phase, int total) {
        this.phase = phase;
        this.total = total;
        this.done = 0;
        this.startNanos = System.nanoTime();
        this.lastShownNanos = startNanos;
    }

    @Override
    public void advance(int done) {
        this.done = done;
        long now = System.nanoTime();
        if (now - lastShownNanos >= (terminal ? REDRAW_NANOS : intervalNanos)) {
            lastShownNanos = now;
            show(now, false);
        }
    }

    @Override
    public void finish() {
        if (total > 0) {
            show(System.nanoTime(), true);
        }
    }

    private void show(long now, boolean last) {
        double seconds = Math.max(1e-3, (now - startNanos) / 1e9);
        double rate = done / seconds;
        String left = rate > 0 && done < total
                ? ", about " + format(Duration.ofSeconds((long) ((total - done) / rate))) + " left"
                : "";
        String figures = String.format("%s %d/%d (%.1f/s%s)", phase, done, total, rate, left);
        if (terminal) {
            int filled = total == 0 ? BAR_WIDTH : (int) ((long) BAR_WIDTH * done / total);
            out.print("\r[" + "#".repeat(filled) + " ".repeat(BAR_WIDTH - filled) + "] " + figures + "\u001b[K");
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
