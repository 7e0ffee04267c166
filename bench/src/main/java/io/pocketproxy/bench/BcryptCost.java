package io.pocketproxy.bench;

import io.pocketproxy.relay.auth.PasswordHashing;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * What one bcrypt check costs on this machine at our cost factor: the price of every uncached proxy
 * authentication and every dashboard login. In this process.
 */
final class BcryptCost implements Figure {

    private static final int WARM_UP = 3;
    private static final String PASSWORD = "benchmark password";

    @Option(
            names = "--bcrypt-runs",
            paramLabel = "N",
            description = "Checks timed, after " + WARM_UP + " untimed (default: ${DEFAULT-VALUE}).")
    int runs = 20;

    @Override
    public void validate() {
        Check.atLeast("--bcrypt-runs", runs, 1);
    }

    @Override
    public Table measure(Testbed testbed) {
        try (PasswordHashing hashing = new PasswordHashing(1)) {
            String hash = hashing.hash(PASSWORD).join();
            for (int i = 0; i < WARM_UP; i++) {
                hashing.verify(PASSWORD, hash).join();
            }
            long[] nanos = new long[runs];
            for (int i = 0; i < runs; i++) {
                long start = System.nanoTime();
                hashing.verify(PASSWORD, hash).join();
                nanos[i] = System.nanoTime() - start;
            }
            Latencies checks = new Latencies(nanos);
            return new Table(
                    "bcrypt",
                    "bcrypt cost " + PasswordHashing.COST + ", one check (" + runs + " runs, in process)",
                    List.of(
                            Table.Row.oursOnly("median ms", checks.millis(50), ""),
                            Table.Row.oursOnly("max ms", checks.millis(100), "")),
                    List.of());
        }
    }
}
