package io.pocketproxy.bench;

import java.util.Arrays;

/** Percentiles of a set of latencies in nanoseconds, by the nearest-rank method. */
final class Latencies {

    private final long[] sorted;

    Latencies(long[] nanos) {
        if (nanos.length == 0) {
            throw new IllegalArgumentException("no latencies (expected: at least one sample)");
        }
        this.sorted = nanos.clone();
        Arrays.sort(sorted);
    }

    long percentile(double percent) {
        int rank = (int) Math.ceil(percent / 100 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    double millis(double percent) {
        return percentile(percent) / 1e6;
    }

    double micros(double percent) {
        return percentile(percent) / 1e3;
    }

    int count() {
        return sorted.length;
    }
}
