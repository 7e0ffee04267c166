package io.pocketproxy.agent.rotation;

import io.pocketproxy.agent.command.DeviceCommand;
import io.pocketproxy.link.Threads;
import io.pocketproxy.link.rotation.RotationReport;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Changes the device's IP when the relay asks: runs the operator's {@code --rotate-command} (a modem reconnect,
 * airplane mode off and on), then measures the egress IP again, retrying while the device's connectivity comes back,
 * and reports either the new IP or why it failed. One rotation at a time: the relay asking again for the rotation
 * that runs gets that rotation. The newest report is kept for the heartbeats, so it reaches the relay even when the
 * link dropped during the rotation.
 */
public final class Rotator implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Rotator.class);

    /** After the command, connectivity may take a while to return: measure this often, this many times. */
    static final Duration MEASURE_EVERY = Duration.ofSeconds(2);

    static final int MEASURE_TRIES = 20;

    private final Optional<DeviceCommand> command;
    private final Supplier<CompletableFuture<String>> measureEgressIp;
    private final ScheduledExecutorService thread;
    private UUID runningId;
    private CompletableFuture<RotationReport> running;
    private volatile RotationReport last;

    /**
     * @param command the operator's rotate command, if any
     * @param measureEgressIp measures the egress IP now (fails while there is no connectivity)
     */
    public Rotator(Optional<DeviceCommand> command, Supplier<CompletableFuture<String>> measureEgressIp) {
        this.command = command;
        this.measureEgressIp = measureEgressIp;
        this.thread = Executors.newSingleThreadScheduledExecutor(Threads.daemon("agent-rotation"));
    }

    /** How the newest rotation ended, or {@code null} before the first one ended. */
    public RotationReport last() {
        return last;
    }

    /** Starts rotation {@code id}, or joins it if it is the one running; completes with its report, never fails. */
    public synchronized CompletableFuture<RotationReport> rotate(UUID id) {
        if (running != null && !running.isDone()) {
            if (id.equals(runningId)) {
                return running;
            }
            return CompletableFuture.completedFuture(
                    RotationReport.failed(id, "another rotation is running on the device"));
        }
        if (last != null && last.rotationId().equals(id)) {
            return CompletableFuture.completedFuture(last); // asked again after a lost answer
        }
        if (!command.isPresent()) {
            return CompletableFuture.completedFuture(
                    ended(RotationReport.failed(id, "this device has no rotate command")));
        }
        runningId = id;
        running = new CompletableFuture<>();
        CompletableFuture<RotationReport> outcome = running;
        thread.execute(() -> run(id, outcome));
        return outcome;
    }

    private void run(UUID id, CompletableFuture<RotationReport> outcome) {
        log.info("rotation {}: running the rotate command", id);
        DeviceCommand.Result result;
        try {
            result = command.get().run();
        } catch (DeviceCommand.CommandFailed e) {
            outcome.complete(ended(RotationReport.failed(id, "the rotate command " + e.getMessage())));
            return;
        }
        log.info("rotation {}: the rotate command exited with {}: {}", id, result.exitCode(), result.firstLines(5));
        if (result.exitCode() != 0) {
            outcome.complete(ended(RotationReport.failed(
                    id, "the rotate command exited with " + result.exitCode() + ": " + result.firstLines(3))));
            return;
        }
        measure(id, outcome, 1);
    }

    private void measure(UUID id, CompletableFuture<RotationReport> outcome, int attempt) {
        measureEgressIp.get().whenComplete((ip, error) -> {
            if (error == null) {
                outcome.complete(ended(RotationReport.done(id, ip)));
            } else if (attempt >= MEASURE_TRIES) {
                outcome.complete(ended(
                        RotationReport.failed(id, "no connectivity after the rotate command: " + error.getMessage())));
            } else {
                thread.schedule(
                        () -> measure(id, outcome, attempt + 1), MEASURE_EVERY.toMillis(), TimeUnit.MILLISECONDS);
            }
        });
    }

    private RotationReport ended(RotationReport report) {
        last = report;
        if (report.succeeded()) {
            log.info("rotation {}: done, egress IP {}", report.rotationId(), report.newIp());
        } else {
            log.warn("rotation {}: failed: {}", report.rotationId(), report.error());
        }
        return report;
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
