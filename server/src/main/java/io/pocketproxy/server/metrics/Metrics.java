package io.pocketproxy.server.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pocketproxy.relay.Relay;
import io.pocketproxy.relay.auth.PasswordHashing;
import io.pocketproxy.relay.link.DeviceLinks;

/** The process's meters, scraped at {@code GET /metrics} in Prometheus format. */
public final class Metrics implements AutoCloseable {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gcMetrics = new JvmGcMetrics();

    public Metrics() {
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        gcMetrics.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** A bcrypt pool's figures, tagged with whose sign-ins it checks: {@code customers} or {@code operators}. */
    public void bindPasswordHashing(PasswordHashing hashing, String pool) {
        FunctionCounter.builder("pocketproxy.password.checks", hashing, PasswordHashing::checks)
                .description("bcrypt password checks run (logins and proxy authentications)")
                .tag("pool", pool)
                .register(registry);
        FunctionCounter.builder("pocketproxy.password.refused", hashing, PasswordHashing::refused)
                .description("bcrypt jobs refused because the queue was full (answered 'busy, try again')")
                .tag("pool", pool)
                .register(registry);
        Gauge.builder("pocketproxy.password.queue", hashing, PasswordHashing::queued)
                .description("bcrypt jobs waiting for a hashing thread")
                .tag("pool", pool)
                .register(registry);
    }

    public void bindRelay(Relay relay) {
        Gauge.builder("pocketproxy.relay.device.links", relay.links(), DeviceLinks::size)
                .description("devices linked to this relay")
                .register(registry);
    }

    /** The Prometheus text exposition of every meter. */
    public String scrape() {
        return registry.scrape();
    }

    @Override
    public void close() {
        gcMetrics.close();
        registry.close();
    }
}
