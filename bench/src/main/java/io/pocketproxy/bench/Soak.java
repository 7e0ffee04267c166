package io.pocketproxy.bench;

import io.pocketproxy.relay.metering.Meter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench/run soak}: many customers churning over several connections and devices for a few minutes,
 * with the operator resetting, re-limiting, re-issuing passwords, restarting agents and the server once; then
 * checks that every connection's stored usage is what its transfers moved, and that nothing was left behind.
 * Not a figure: it has no peer or direct route, and it fails (exit 1) when a check fails.
 */
@Command(
        name = "soak",
        sortOptions = false,
        description = "Churn with exact accounting: customers, resets, limits, new passwords, agent and server"
                + " restarts; checks usage per connection, leaks, heap and file descriptors (docs/benchmarks.md).")
final class Soak implements Callable<Integer> {

    private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(60);

    @Option(
            names = "--minutes",
            defaultValue = "3",
            description = "how long customers churn (default: ${DEFAULT-VALUE})")
    int minutes;

    @Option(names = "--customers", defaultValue = "100", description = "customers at once (default: ${DEFAULT-VALUE})")
    int customers;

    @Option(
            names = "--devices",
            defaultValue = "3",
            description = "devices, each with an HTTP and a SOCKS5 connection (default: ${DEFAULT-VALUE})")
    int devices;

    @Option(
            names = "--max-transfer-kib",
            defaultValue = "1024",
            description = "largest download or upload of one transfer (default: ${DEFAULT-VALUE})")
    int maxTransferKib;

    @Option(
            names = "--abort-percent",
            defaultValue = "10",
            description =
                    "transfers on device 0's connections the customer closes half way (default: ${DEFAULT-VALUE})")
    int abortPercent;

    @Option(
            names = "--capped-mib",
            defaultValue = "64",
            description = "limit of the one connection meant to reach it (default: ${DEFAULT-VALUE})")
    int cappedMib;

    @Option(
            names = "--heap-margin-mib",
            defaultValue = "64",
            description = "heap growth allowed after GC (default: ${DEFAULT-VALUE})")
    int heapMarginMib;

    @Option(
            names = "--fd-margin",
            defaultValue = "32",
            description = "open file descriptors growth allowed (default: ${DEFAULT-VALUE})")
    int fdMargin;

    @Override
    public Integer call() throws Exception {
        Check.atLeast("--minutes", minutes, 1);
        Check.atLeast("--customers", customers, 1);
        Check.atLeast("--devices", devices, 1);
        Check.atLeast("--max-transfer-kib", maxTransferKib, 1);
        Check.atLeast("--capped-mib", cappedMib, 1);
        if (minutes > 24 * 60 || customers > 2_000 || devices > 50 || abortPercent < 0 || abortPercent > 100) {
            throw new IllegalArgumentException("--minutes <= 1440, --customers <= 2000, --devices <= 50,"
                    + " --abort-percent 0..100 (got " + minutes + ", " + customers + ", " + devices + ", "
                    + abortPercent + ")");
        }
        CountingLeakDetector.install(); // before the first Netty buffer of this process
        Path dataDir = Files.createTempDirectory("pocketproxy-soak");
        Queue<String> faults = new ConcurrentLinkedQueue<>();
        Progress.say("soak: starting the server (embedded PostgreSQL), " + devices + " agents and the target");
        try (CountingTarget target = CountingTarget.start();
                SoakServer server = SoakServer.start(dataDir, devices, (long) cappedMib << 20)) {
            ProcessVitals before = ProcessVitals.measure();
            Gate serverGate = new Gate();
            List<Gate> deviceGates = new ArrayList<>();
            for (int i = 0; i < devices; i++) {
                deviceGates.add(new Gate());
            }
            long deadline = System.nanoTime() + Duration.ofMinutes(minutes).toNanos();
            Churn churn = new Churn(server, serverGate, deviceGates, deadline, faults);
            Progress.say("soak: " + customers + " customers for " + minutes + " min");
            try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
                threads.submit(churn);
                for (int i = 0; i < customers; i++) {
                    threads.submit(new Customer(
                            server,
                            target,
                            serverGate,
                            deviceGates,
                            (long) maxTransferKib << 10,
                            abortPercent / 100.0,
                            deadline,
                            faults));
                }
                threads.shutdown();
                // Customers stop at the deadline; a transfer in flight then ends within its socket timeouts.
                if (!threads.awaitTermination(minutes + 5L, TimeUnit.MINUTES)) {
                    threads.shutdownNow();
                    faults.add("customers still running 5 min after the deadline; interrupted");
                }
            }
            Progress.say("soak: settling, flushing usage and checking");
            boolean settled = SoakServer.await(
                    () -> target.openConnections() == 0
                            && server.accounts().stream()
                                    .map(server::meter)
                                    .flatMap(java.util.Optional::stream)
                                    .allMatch(meter -> meter.openStreams() == 0 && meter.openTunnels() == 0),
                    SETTLE_TIMEOUT);
            server.flushUsage();
            SoakReport report = new SoakReport(server, target, churn, faults, settled);
            report.vitals(before, ProcessVitals.measure(), (long) heapMarginMib << 20, fdMargin);
            report.leaks(CountingLeakDetector.reported());
            System.out.println(report.markdown(minutes, customers));
            return report.passed() ? 0 : 1;
        } finally {
            SoakReport.delete(dataDir);
        }
    }

    static long openStreams(List<Meter> meters) {
        return meters.stream().mapToLong(Meter::openStreams).sum();
    }
}
