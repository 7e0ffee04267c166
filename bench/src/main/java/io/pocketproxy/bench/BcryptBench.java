package io.pocketproxy.bench;

import io.pocketproxy.relay.auth.PasswordHashing;
import java.util.Arrays;

/**
 * What one bcrypt check costs on this machine at our cost factor: the price of every uncached proxy
 * authentication and every dashboard login.
 */
public final class BcryptBench {

    private static final int WARMUP = 3;
    private static final int RUNS = 20;

    private BcryptBench() {}

    public static void main(String[] args) {
        try (PasswordHashing hashing = new PasswordHashing(1)) {
            String hash = hashing.hash("benchmark password").join();
            for (int i = 0; i < WARMUP; i++) {
                hashing.verify("benchmark password", hash).join();
            }
            long[] nanos = new long[RUNS];
            for (int i = 0; i < RUNS; i++) {
                long start = System.nanoTime();
                hashing.verify("benchmark password", hash).join();
                nanos[i] = System.nanoTime() - start;
            }
            Arrays.sort(nanos);
            System.out.printf(
                    "bcrypt cost %d, one check (%d runs): median %.1f ms, min %.1f ms, max %.1f ms%n",
                    PasswordHashing.COST, RUNS, nanos[RUNS / 2] / 1e6, nanos[0] / 1e6, nanos[RUNS - 1] / 1e6);
        }
    }
}
