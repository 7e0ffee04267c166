package io.pocketproxy.server;

import io.pocketproxy.relay.openvpn.OpenVpnMode;
import io.pocketproxy.server.webhooks.WebhookOutbox;
import io.pocketproxy.testkit.ApiClient;
import io.pocketproxy.testkit.OwnPostgres;
import io.pocketproxy.testkit.SettableClock;
import io.pocketproxy.testkit.TestPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real PocketProxy server for a test class: its own fresh database on the shared test PostgreSQL, its
 * own data directory, ports chosen by the system, a settable clock, and a first admin.
 */
public final class RunningServer implements BeforeAllCallback, AfterAllCallback {

    public static final String ADMIN_EMAIL = "admin@example.com";

    private final String adminPassword = "admin-" + UUID.randomUUID();
    private final SettableClock clock = SettableClock.startingNow();
    private final Consumer<ServerConfig.Builder> customizer;
    private final boolean ownPostgres;
    private OwnPostgres postgres;
    private Path dataDir;
    private PocketProxyServer server;
    private ApiClient admin;

    public RunningServer() {
        this(builder -> {});
    }

    public RunningServer(Consumer<ServerConfig.Builder> customizer) {
        this(customizer, false);
    }

    private RunningServer(Consumer<ServerConfig.Builder> customizer, boolean ownPostgres) {
        this.customizer = customizer;
        this.ownPostgres = ownPostgres;
    }

    /** On a PostgreSQL of the test's own ({@link #postgres()}), which the test may stop, hang or kill. */
    public static RunningServer onOwnPostgres(Consumer<ServerConfig.Builder> customizer) {
        return new RunningServer(customizer, true);
    }

    /** A signed-in operator: how the tests act as a customer of the product. */
    public record Operator(UUID id, String email, String password, ApiClient api) {}

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        dataDir = Files.createTempDirectory("pocketproxy-server-test");
        String databaseUrl;
        if (ownPostgres) {
            postgres = OwnPostgres.start();
            databaseUrl = postgres.databaseUrl();
        } else {
            databaseUrl = TestPostgres.shared().newDatabaseUrl();
        }
        ServerConfig.Builder builder = ServerConfig.builder(dataDir)
                .databaseUrl(databaseUrl)
                .ephemeralPorts()
                .openvpn(OpenVpnMode.OFF)
                .admin(ADMIN_EMAIL, adminPassword);
        customizer.accept(builder);
        server = PocketProxyServer.start(builder.build(), clock);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (server != null) {
            server.close();
        }
        if (postgres != null) {
            postgres.close();
        }
        deleteRecursively(dataDir);
    }

    /** The test's own PostgreSQL; only with {@link #onOwnPostgres}. */
    public OwnPostgres postgres() {
        if (postgres == null) {
            throw new IllegalStateException("this server runs on the shared test PostgreSQL");
        }
        return postgres;
    }

    public PocketProxyServer server() {
        return server;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.apiPort();
    }

    public ApiClient anonymous() {
        return ApiClient.anonymous(baseUrl());
    }

    public synchronized ApiClient admin() {
        if (admin == null) {
            admin = anonymous().login(ADMIN_EMAIL, adminPassword);
        }
        return admin;
    }

    public String adminPassword() {
        return adminPassword;
    }

    /** Creates an operator through the admin API and signs them in. */
    public Operator newOperator() {
        String email = "operator-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
        String password = "secret-" + UUID.randomUUID();
        ApiClient.Response created = admin().post(
                        "/api/users",
                        Map.of("email", email, "password", password, "name", "Operator", "role", "operator"));
        if (created.status() != 201) {
            throw new AssertionError("creating an operator answered " + created);
        }
        UUID id = UUID.fromString(created.json().get("id").asText());
        return new Operator(id, email, password, anonymous().login(email, password));
    }

    /**
     * A figure of one bcrypt pool, {@code customers} or {@code operators}, as {@code /metrics} shows it (to this
     * host, which needs no token).
     */
    public double passwordMetric(String name, String pool) {
        String body = anonymous().get("/metrics").body();
        Matcher value = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{[^}]*pool=\"" + pool + "\"[^}]*\\} (\\S+)$")
                .matcher(body);
        if (!value.find()) {
            throw new AssertionError(name + "{pool=\"" + pool + "\"} not in /metrics");
        }
        return Double.parseDouble(value.group(1));
    }

    /** How many bcrypt checks the pool has run. */
    public long passwordChecks(String pool) {
        return (long) passwordMetric("pocketproxy_password_checks_total", pool);
    }

    public Jdbi jdbi() {
        return server.database().jdbi();
    }

    public SettableClock clock() {
        return clock;
    }

    /** Queues webhook event {@code type} for {@code ownerId} as the monitor does, due now on the server's clock. */
    public void enqueueWebhook(UUID ownerId, String type) {
        Instant at = clock.instant();
        jdbi().useTransaction(handle -> WebhookOutbox.enqueue(
                handle, ownerId, type, Map.of("device_id", UUID.randomUUID().toString(), "device_name", "phone"), at));
    }

    public Path dataDir() {
        return dataDir;
    }

    static void deleteRecursively(Path directory) {
        if (directory == null || !Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.delete(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
