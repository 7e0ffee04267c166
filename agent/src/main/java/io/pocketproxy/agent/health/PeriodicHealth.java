package io.pocketproxy.agent.health;

import io.pocketproxy.link.Threads;
import io.pocketproxy.link.status.DeviceHealth;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link HealthSource} measured on a thread of its own every interval (a command may take seconds; the heartbeat
 * must not wait for it), answering the last measurement. A measurement that fails leaves every value unknown and is
 * logged once per change of its error, not on every try: a phone without a battery file should not fill the log.
 */
public final class PeriodicHealth implements HealthSource, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PeriodicHealth.class);

    /** One reading of the device; throws with a sentence saying what went wrong. */
    @FunctionalInterface
    public interface Measurement {
        DeviceHealth measure() throws Exception;
    }

    private final String what;
    private final Measurement measurement;
    private final ScheduledExecutorService thread;
    private volatile DeviceHealth last = DeviceHealth.UNKNOWN;
    private volatile boolean closed;
    private String lastError;

    private PeriodicHealth(String what, Measurement measurement) {
        this.what = what;
        this.measurement = measurement;
        this.thread = Executors.newSingleThreadScheduledExecutor(Threads.daemon("agent-health"));
    }

    /** Measures now and every {@code interval} after, until closed; {@code what} names the source in log lines. */
    public static PeriodicHealth start(String what, Measurement measurement, Duration interval) {
        PeriodicHealth health = new PeriodicHealth(what, measurement);
        health.thread.scheduleWithFixedDelay(health::measure, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        return health;
    }

    @Override
    public DeviceHealth current() {
        return last;
    }

    private void measure() {
        try {
            last = measurement.measure();
            if (lastError != null) {
                log.info("{} works again", what);
                lastError = null;
            }
        } catch (Exception | LinkageError e) {
            if (closed) {
                // Stopped mid-measurement by close() (a command interrupted): that is the agent stopping, not a fault
                // of the device worth a warning.
                return;
            }
            last = DeviceHealth.UNKNOWN;
            String error = e.getMessage() == null ? e.toString() : e.getMessage();
            if (!Objects.equals(error, lastError)) {
                log.warn("{}: {}; battery, signal, network and carrier stay unknown until it works", what, error);
                lastError = error;
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.shutdownNow();
    }
}
