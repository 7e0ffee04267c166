package io.pocketproxy.app;

import io.pocketproxy.server.ServerConfig;
import io.pocketproxy.server.rotation.RotationSettings;
import java.time.Duration;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The options of {@code pocketproxy server}, each also read from POCKETPROXY_<NAME>: the data plane's
 * ({@link RelayOptions}) and the control plane's. Their defaults are
 * {@link ServerConfig}'s, the one place they are written: each field starts from it, and
 * {@link EnvironmentDefaults} shows it in {@code --help} in the form the option takes.
 */
final class ServerOptions {

    static final ServerConfig DEFAULTS =
            ServerConfig.builder(StorageOptions.DEFAULT_DATA_DIR).build();

    @Mixin
    RelayOptions relay = new RelayOptions();

    @Option(
            names = "--api-port",
            paramLabel = "PORT",
            description = "REST API and dashboard port (default: ${DEFAULT-VALUE}).")
    int apiPort = DEFAULTS.apiPort();

    @Option(
            names = "--admin-email",
            paramLabel = "EMAIL",
            description = "Creates the first admin if no user exists yet.")
    String adminEmail;

    @Option(
            names = "--admin-password",
            paramLabel = "PASSWORD",
            description =
                    "Password of that first admin; prefer POCKETPROXY_ADMIN_PASSWORD (command lines are visible to all local users).")
    String adminPassword;

    @Option(
            names = "--metrics-token",
            paramLabel = "TOKEN",
            description = "Bearer token /metrics requires (at least 16 characters); without it /metrics answers"
                    + " loopback clients only. Prefer POCKETPROXY_METRICS_TOKEN (command lines are visible to all local"
                    + " users).")
    String metricsToken;

    @Option(
            names = "--offline-after",
            converter = DurationConverter.class,
            paramLabel = "DURATION",
            description = "A device without a heartbeat for this long is offline (default: ${DEFAULT-VALUE}).")
    Duration offlineAfter = DEFAULTS.offlineAfter();

    @Option(
            names = "--alert-cooldown",
            converter = DurationConverter.class,
            paramLabel = "DURATION",
            description = "At most one offline alert per device in this time (default: ${DEFAULT-VALUE}).")
    Duration alertCooldown = DEFAULTS.alertCooldown();

    @Option(
            names = "--rotation-min-interval",
            converter = DurationConverter.class,
            paramLabel = "DURATION",
            description = "A device's IP is rotated at most once in this time; sooner is refused with 429 (default:"
                    + " ${DEFAULT-VALUE}).")
    Duration rotationMinInterval = DEFAULTS.rotation().minInterval();

    @Option(
            names = "--rotate-timeout",
            converter = DurationConverter.class,
            paramLabel = "DURATION",
            description = "A rotation without a result after this long fails; meanwhile its device is not marked"
                    + " offline (default: ${DEFAULT-VALUE}).")
    Duration rotateTimeout = DEFAULTS.rotation().timeout();

    @Option(
            names = "--session-ttl",
            converter = DurationConverter.class,
            paramLabel = "DURATION",
            description = "How long a dashboard or API login lasts (default: ${DEFAULT-VALUE}).")
    Duration sessionTtl = DEFAULTS.sessionTtl();

    @Option(
            names = "--trust-forwarded-proto",
            description = "Behind a TLS-terminating proxy that sets X-Forwarded-Proto: trust it, so the session cookie"
                    + " is Secure over HTTPS (default: ${DEFAULT-VALUE}; clients reaching the API directly could send"
                    + " it themselves).")
    boolean trustForwardedProto = DEFAULTS.trustForwardedProto();

    @Option(
            names = "--allow-private-webhooks",
            description =
                    "Allow webhook URLs on loopback and private networks (self-hosting, tests; default: ${DEFAULT-VALUE}).")
    boolean allowPrivateWebhooks = DEFAULTS.allowPrivateWebhooks();

    @Option(
            names = "--monitor-interval",
            converter = DurationConverter.class,
            paramLabel = "DURATION",
            description = "How often devices are checked for missing heartbeats (default: ${DEFAULT-VALUE}).")
    Duration monitorInterval = DEFAULTS.monitorInterval();

    @Option(
            names = "--webhook-timeout",
            converter = DurationConverter.class,
            paramLabel = "DURATION",
            description = "Deadline of one webhook request, from connecting to the answer's last byte"
                    + " (default: ${DEFAULT-VALUE}).")
    Duration webhookTimeout = DEFAULTS.webhookTimeout();

    @Option(
            names = "--webhook-retry-delays",
            split = ",",
            converter = DurationConverter.class,
            paramLabel = "DURATION[,DURATION...]",
            description = "Waits before each retry of an undelivered webhook; after the last it has failed"
                    + " (default: ${DEFAULT-VALUE}).")
    java.util.List<Duration> webhookRetryDelays = DEFAULTS.webhookRetryDelays();

    /** The command these options belong to: what its command line held. */
    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    ServerConfig toConfig() {
        CommandLineSecrets.warnAbout(command);
        return relay.configure(ServerConfig.builder(relay.storage.dataDir))
                .apiPort(apiPort)
                .admin(adminEmail, adminPassword)
                .offlineAfter(offlineAfter)
                .alertCooldown(alertCooldown)
                .rotation(new RotationSettings(rotationMinInterval, rotateTimeout))
                .sessionTtl(sessionTtl)
                .trustForwardedProto(trustForwardedProto)
                .allowPrivateWebhooks(allowPrivateWebhooks)
                .monitorInterval(monitorInterval)
                .webhookTimeout(webhookTimeout)
                .webhookRetryDelays(webhookRetryDelays)
                .metricsToken(metricsToken)
                .build();
    }
}
