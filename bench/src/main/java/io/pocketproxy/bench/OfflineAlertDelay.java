package io.pocketproxy.bench;

import io.pocketproxy.agent.Agent;
import io.pocketproxy.agent.AgentConfig;
import io.pocketproxy.server.PocketProxyServer;
import io.pocketproxy.server.ServerConfig;
import io.pocketproxy.server.devices.DeviceStatus;
import io.pocketproxy.server.devices.NewDevice;
import io.pocketproxy.server.users.Role;
import io.pocketproxy.server.users.User;
import io.pocketproxy.testkit.WebhookReceiver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import picocli.CommandLine.Option;

/**
 * How long after a device dies its owner's webhook hears {@code device.offline}, with every timing of the
 * defaults divided by {@code --alerts-scale} (offline-after 2 min, heartbeats every 30 s, a scan every
 * 10 s, the outbox polled every second): a scale of 10 measures in seconds what takes minutes. Devices die
 * spread over one heartbeat interval, since where a death falls between two heartbeats is the largest part
 * of the spread. Reports the delays as multiples of offline-after. In this process: a server with embedded
 * PostgreSQL and in-process agents.
 */
final class OfflineAlertDelay implements Figure {

    @Option(
            names = "--alerts-scale",
            paramLabel = "N",
            description = "Divide every default timing by N (default: ${DEFAULT-VALUE}).")
    int scale = 10;

    @Option(
            names = "--alerts-devices",
            paramLabel = "N",
            description = "Devices that die, spread over one heartbeat interval (default: ${DEFAULT-VALUE}).")
    int devices = 6;

    @Override
    public void validate() {
        Check.atLeast("--alerts-scale", scale, 1);
        Check.atLeast("--alerts-devices", devices, 1);
    }

    @Override
    public Table measure(Testbed testbed) throws Exception {
        Duration offlineAfter = Duration.ofMinutes(2).dividedBy(scale);
        Duration heartbeat = Duration.ofSeconds(30).dividedBy(scale);
        Path dataDir = Files.createTempDirectory("pocketproxy-alert-bench");
        try (WebhookReceiver receiver = WebhookReceiver.start();
                PocketProxyServer server = PocketProxyServer.start(ServerConfig.builder(dataDir)
                        .ephemeralPorts()
                        .offlineAfter(offlineAfter)
                        .heartbeatInterval(heartbeat)
                        .monitorInterval(Duration.ofSeconds(10).dividedBy(scale))
                        .webhookPoll(Duration.ofSeconds(1).dividedBy(scale))
                        .allowPrivateWebhooks(true)
                        .build())) {
            User operator = server.users().create("alerts@example.com", "bench password", "Bench", Role.OPERATOR);
            server.database()
                    .jdbi()
                    .useHandle(handle -> handle.createUpdate("UPDATE users SET webhook_url = :url WHERE id = :id")
                            .bind("url", receiver.url())
                            .bind("id", operator.id())
                            .execute());
            List<NewDevice> phones = new ArrayList<>();
            List<Agent> agents = new ArrayList<>();
            try {
                for (int i = 0; i < devices; i++) {
                    NewDevice phone = server.devices().create(operator.id(), "phone " + i);
                    phones.add(phone);
                    agents.add(Agent.start(AgentConfig.fromPairing(phone.pairing(), false)));
                }
                waitFor(
                        Duration.ofSeconds(60),
                        "all " + devices + " devices online",
                        () -> phones.stream()
                                .allMatch(phone -> server.devices()
                                                .get(
                                                        operator.id(),
                                                        phone.device().id())
                                                .status()
                                        == DeviceStatus.ONLINE));
                // Wait for the server's start-up grace (offline-after) to pass, so it does not shape the figures.
                Thread.sleep(offlineAfter.toMillis());

                List<Instant> died = new ArrayList<>();
                for (int i = 0; i < devices; i++) {
                    died.add(Instant.now());
                    agents.get(i).close();
                    Thread.sleep(heartbeat.toMillis() / devices); // deaths spread over one heartbeat interval
                }
                waitFor(
                        offlineAfter.multipliedBy(3),
                        devices + " device.offline webhooks",
                        () -> receiver.requestsOfType("device.offline").size() >= devices);
                // Stopping the server while the dispatcher records the last delivery interrupts it mid-query
                // and logs a warning; give it a moment to finish (best effort: a retry may be pending for long).
                eventually(
                        Duration.ofSeconds(5),
                        () -> server.database()
                                        .jdbi()
                                        .withHandle(handle -> handle.createQuery(
                                                        "SELECT count(*) FROM webhook_deliveries WHERE status = 'pending'")
                                                .mapTo(Long.class)
                                                .one())
                                == 0);

                long[] delays = new long[devices];
                for (int i = 0; i < devices; i++) {
                    String id = phones.get(i).device().id().toString();
                    Instant at = receiver.requestsOfType("device.offline").stream()
                            .filter(request -> request.body().contains(id))
                            .map(WebhookReceiver.Request::at)
                            .findFirst()
                            .orElseThrow();
                    delays[i] = Duration.between(died.get(i), at).toNanos();
                }
                Latencies delay = new Latencies(delays);
                double offlineAfterMillis = offlineAfter.toMillis();
                return new Table(
                        "offline alert",
                        "Offline alert delay at 1/" + scale + " of the default timings (" + devices + " devices)",
                        List.of(
                                Table.Row.oursOnly(
                                        "median delay, × offline-after", delay.millis(50) / offlineAfterMillis, ""),
                                Table.Row.oursOnly(
                                        "max delay, × offline-after", delay.millis(100) / offlineAfterMillis, ""),
                                Table.Row.oursOnly(
                                        "median delay at the defaults, s", delay.millis(50) * scale / 1000, "")),
                        List.of("offline-after " + offlineAfter.toMillis() + " ms, heartbeat every "
                                + heartbeat.toMillis() + " ms in this run."));
            } finally {
                agents.forEach(Agent::close);
            }
        } finally {
            delete(dataDir);
        }
    }

    private static void waitFor(Duration limit, String what, BooleanSupplier condition) throws InterruptedException {
        if (!eventually(limit, condition)) {
            throw new IllegalStateException("not " + what + " within " + limit);
        }
    }

    /** Polls every 20 ms; whether the condition held within the limit. */
    private static boolean eventually(Duration limit, BooleanSupplier condition) throws InterruptedException {
        Instant deadline = Instant.now().plus(limit);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    private static void delete(Path directory) throws IOException {
        try (var paths = Files.walk(directory)) {
            paths.sorted(java.util.Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        }
    }
}
