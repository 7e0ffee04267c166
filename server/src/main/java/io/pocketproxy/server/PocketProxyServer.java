package io.pocketproxy.server;

import io.pocketproxy.link.HostAndPort;
import io.pocketproxy.relay.Relay;
import io.pocketproxy.relay.auth.PasswordChecks;
import io.pocketproxy.relay.auth.PasswordHashing;
import io.pocketproxy.relay.openvpn.OpenVpnPki;
import io.pocketproxy.relay.tls.RelayCertificate;
import io.pocketproxy.server.api.ApiServer;
import io.pocketproxy.server.api.AuthApi;
import io.pocketproxy.server.api.Authentication;
import io.pocketproxy.server.api.ConnectionsApi;
import io.pocketproxy.server.api.DashboardOrigin;
import io.pocketproxy.server.api.DevicesApi;
import io.pocketproxy.server.api.Json;
import io.pocketproxy.server.api.OperationsApi;
import io.pocketproxy.server.api.RequestBodies;
import io.pocketproxy.server.api.RotationLinksApi;
import io.pocketproxy.server.api.UsageApi;
import io.pocketproxy.server.api.UsersApi;
import io.pocketproxy.server.api.WebhooksApi;
import io.pocketproxy.server.changes.ChangeAnnouncer;
import io.pocketproxy.server.connections.ConnectionService;
import io.pocketproxy.server.connections.ProxyEndpoints;
import io.pocketproxy.server.db.DataDirLock;
import io.pocketproxy.server.db.Database;
import io.pocketproxy.server.db.DatabaseSettings;
import io.pocketproxy.server.db.Postgres;
import io.pocketproxy.server.devices.DeviceRegistry;
import io.pocketproxy.server.devices.DeviceService;
import io.pocketproxy.server.devices.RelayAddress;
import io.pocketproxy.server.directory.DatabaseDirectory;
import io.pocketproxy.server.farm.RelayMembership;
import io.pocketproxy.server.metrics.HttpMetrics;
import io.pocketproxy.server.metrics.Metrics;
import io.pocketproxy.server.monitor.DeviceMonitor;
import io.pocketproxy.server.openvpn.OpenVpnProfiles;
import io.pocketproxy.server.openvpn.ProfileWriter;
import io.pocketproxy.server.rotation.RotationLinks;
import io.pocketproxy.server.rotation.RotationService;
import io.pocketproxy.server.sessions.SessionService;
import io.pocketproxy.server.usage.UsageRetention;
import io.pocketproxy.server.usage.UsageRetentionJob;
import io.pocketproxy.server.usage.UsageService;
import io.pocketproxy.server.users.UserService;
import io.pocketproxy.server.webhooks.WebhookDispatcher;
import io.pocketproxy.server.webhooks.WebhookSettings;
import io.pocketproxy.server.webhooks.WebhookUrls;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletionStage;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code pocketproxy server}: one process with the control plane (REST API and dashboard, PostgreSQL,
 * device monitor, webhook dispatcher) and the relay (proxy listeners, device links, metering). Starts its
 * parts in order and stops them in reverse; a part that fails to start stops the ones already running.
 */
public final class PocketProxyServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PocketProxyServer.class);
    private static final java.time.Duration HEARTBEAT_BATCH = java.time.Duration.ofSeconds(1);

    private final ServerConfig config;
    private final Deque<AutoCloseable> parts;
    private final Postgres postgres;
    private final Database database;
    private final ApiServer api;
    private final UserService users;
    private final DeviceService devices;
    private final ConnectionService connections;
    private final RotationService rotations;
    private final RelayCertificate certificate;
    private final Relay relay;
    private final DatabaseSettings databaseSettings;
    private final DeviceRegistry deviceRegistry;
    private final ProxyEndpoints endpoints;
    private final OpenVpnProfiles openvpn;

    private PocketProxyServer(Builder parts) {
        this.config = parts.config;
        this.parts = parts.started;
        this.postgres = parts.postgres;
        this.database = parts.database;
        this.api = parts.api;
        this.users = parts.users;
        this.devices = parts.devices;
        this.connections = parts.connections;
        this.rotations = parts.rotations;
        this.certificate = parts.certificate;
        this.relay = parts.relay;
        this.databaseSettings = parts.postgres.settings();
        this.deviceRegistry = parts.deviceRegistry;
        this.endpoints = parts.endpoints;
        this.openvpn = parts.openvpn;
    }

    public static PocketProxyServer start(ServerConfig config) {
        return start(config, Clock.systemUTC());
    }

    public static PocketProxyServer start(ServerConfig config, Clock clock) {
        log.info("starting with {}", config);
        Builder parts = new Builder(config);
        try {
            parts.open(DataDirLock.acquire(config.dataDir()));
            parts.postgres = parts.open(Postgres.open(config.dataDir(), config.databaseUrl()));
            Metrics metrics = parts.open(new Metrics());
            parts.database = parts.open(Database.open(parts.postgres.settings(), metrics.registry()));
            parts.database.migrate();
            parts.certificate = config.relayCertificate();

            // Two pools, so that a flood of proxy sign-ins cannot hold an operator's dashboard sign-in.
            PasswordHashing customerHashing =
                    parts.open(PasswordHashing.withDefaultPool(config.relay().authQueue()));
            PasswordHashing operatorHashing =
                    parts.open(new PasswordHashing(1, config.relay().authQueue()));
            metrics.bindPasswordHashing(customerHashing, "customers");
            metrics.bindPasswordHashing(operatorHashing, "operators");
            var jdbi = parts.database.jdbi();

            DatabaseDirectory directory = parts.open(new DatabaseDirectory(jdbi, parts.postgres.settings(), clock));
            RelayMembership membership = parts.open(RelayMembership.join(jdbi, "server " + config.advertisedHost()));
            parts.deviceRegistry = parts.open(new DeviceRegistry(jdbi, HEARTBEAT_BATCH, membership.id()));
            parts.relay = parts.open(Relay.start(
                    config.relay(),
                    parts.certificate,
                    directory,
                    parts.deviceRegistry,
                    directory,
                    customerHashing,
                    clock));
            membership.listening(
                    HostAndPort.format(config.farmHost(), parts.relay.linkPort()),
                    config.advertisedHost(),
                    parts.certificate.fingerprint());
            metrics.bindRelay(parts.relay);
            parts.openvpn = startOpenVpn(config, parts.relay, jdbi, membership, parts.certificate);

            parts.open(new DeviceMonitor(
                    jdbi,
                    config.offlineAfter(),
                    config.alertCooldown(),
                    config.monitorInterval(),
                    clock,
                    metrics.registry()));
            parts.open(new UsageRetentionJob(new UsageRetention(jdbi, clock, UsageRetention.BATCH_SIZE)));
            WebhookUrls webhookUrls = new WebhookUrls(config.allowPrivateWebhooks());
            WebhookDispatcher webhooks = parts.open(new WebhookDispatcher(
                    jdbi,
                    webhookUrls,
                    config.webhookRetryDelays(),
                    config.webhookTimeout(),
                    config.webhookPoll(),
                    clock,
                    metrics.registry()));

            ChangeAnnouncer announcer = new ChangeAnnouncer();
            parts.users = new UserService(
                    jdbi, operatorHashing, new PasswordChecks(UserService.SIGN_IN_LIMITS, operatorHashing, clock));
            SessionService sessions = new SessionService(jdbi, clock, config.sessionTtl());
            parts.devices = new DeviceService(
                    jdbi,
                    announcer,
                    new RelayAddress(config.advertisedHost(), parts.relay.linkPort(), parts.certificate.fingerprint()));
            parts.connections = new ConnectionService(jdbi, operatorHashing, announcer, parts.openvpn);
            parts.rotations = parts.open(new RotationService(jdbi, parts.relay.links(), config.rotation(), clock));
            parts.endpoints = new ProxyEndpoints(
                    config.advertisedHost(), parts.relay.httpPort(), parts.relay.socksPort(), config.openvpnPort());

            if (config.adminEmail() != null) {
                parts.users.createFirstAdmin(config.adminEmail(), config.adminPassword());
            }

            var mapper = Json.mapper();
            RequestBodies bodies = new RequestBodies(mapper);
            DashboardOrigin dashboard = new DashboardOrigin(config.trustForwardedProto());
            ApiServer.Handlers handlers = new ApiServer.Handlers(
                    new AuthApi(parts.users, sessions, bodies, dashboard),
                    new UsersApi(parts.users, bodies),
                    new DevicesApi(parts.devices, parts.rotations, bodies),
                    new ConnectionsApi(parts.connections, parts.endpoints, bodies),
                    new UsageApi(new UsageService(jdbi, clock, parts.connections, parts.devices)),
                    new WebhooksApi(new WebhookSettings(jdbi, webhookUrls), webhooks, bodies),
                    new OperationsApi(jdbi, parts.relay::serving, metrics, config.metricsToken()),
                    new RotationLinksApi(new RotationLinks(jdbi), parts.rotations, dashboard, clock));
            parts.api = parts.open(ApiServer.start(
                    config.bind(),
                    config.apiPort(),
                    handlers,
                    new Authentication(sessions),
                    dashboard,
                    new HttpMetrics(metrics.registry()),
                    mapper));
            PocketProxyServer server = new PocketProxyServer(parts);
            log.info("PocketProxy server is ready: API at {}", server.apiUrl());
            return server;
        } catch (RuntimeException | Error e) {
            parts.closeAll();
            throw e;
        }
    }

    /**
     * This server's OpenVPN: its endpoint started as {@code --openvpn} says, and the profiles of OPENVPN connections
     * when it runs, listing every live node of the farm with the same keys (the server first).
     */
    private static OpenVpnProfiles startOpenVpn(
            ServerConfig config, Relay relay, Jdbi jdbi, RelayMembership membership, RelayCertificate certificate) {
        OpenVpnStart.Outcome outcome = OpenVpnStart.start(config, relay, OpenVpnPki::loadOrCreate);
        if (outcome instanceof OpenVpnStart.Off off) {
            return OpenVpnProfiles.unavailable(off.reason());
        }
        OpenVpnStart.Running running = (OpenVpnStart.Running) outcome;
        String fingerprint = running.pki().profileFingerprint();
        membership.servingOpenVpn(running.remote(), fingerprint);
        return OpenVpnProfiles.available(new ProfileWriter(
                running.pki(), new ProfileRemotes(jdbi, running.remote(), fingerprint, certificate.fingerprint())));
    }

    /**
     * {@code pocketproxy migrate}: brings the database schema up to date and stops. Takes the data
     * directory's lock, so it cannot run beside a server on the same embedded database.
     */
    public static void migrateOnly(ServerConfig config) {
        Builder parts = new Builder(config);
        try {
            parts.open(DataDirLock.acquire(config.dataDir()));
            Postgres postgres = parts.open(Postgres.open(config.dataDir(), config.databaseUrl()));
            Database database = parts.open(Database.open(postgres.settings(), null));
            database.migrate();
        } finally {
            parts.closeAll();
        }
    }

    /**
     * {@code pocketproxy relay}: the data plane alone, next to a control plane that owns the database
     * ({@code --database-url} is required; migrations are the control plane's). Devices paired with a
     * pairing string of this relay's certificate may link here: copy {@code relay-cert.pem} and
     * {@code relay-key.pem} from another relay's data directory to share its identity.
     */
    public static AutoCloseable startRelayOnly(ServerConfig config, Clock clock) {
        if (config.embeddedDatabase()) {
            throw new IllegalArgumentException(
                    "relay: --database-url is required (the relay works beside a server and its database)");
        }
        log.info("starting a relay with {}", config);
        Builder parts = new Builder(config);
        try {
            parts.open(DataDirLock.acquire(config.dataDir()));
            Postgres postgres = parts.open(Postgres.open(config.dataDir(), config.databaseUrl()));
            Database database = parts.open(Database.open(postgres.settings(), null));
            // A relay never migrates: the server owns the schema, and a relay pointed at the wrong database must not
            // make one there and start on it.
            database.requireCurrentSchema("this relay");
            OpenVpnStart.requireKeysWhenOn(config, OpenVpnPki::loadCopied);
            RelayCertificate certificate = config.relayCertificate();
            PasswordHashing hashing =
                    parts.open(PasswordHashing.withDefaultPool(config.relay().authQueue()));
            DatabaseDirectory directory =
                    parts.open(new DatabaseDirectory(database.jdbi(), postgres.settings(), clock));
            RelayMembership membership =
                    parts.open(RelayMembership.join(database.jdbi(), "relay " + config.advertisedHost()));
            DeviceRegistry devices = parts.open(new DeviceRegistry(database.jdbi(), HEARTBEAT_BATCH, membership.id()));
            Relay relay =
                    parts.open(Relay.start(config.relay(), certificate, directory, devices, directory, hashing, clock));
            membership.listening(
                    HostAndPort.format(config.farmHost(), relay.linkPort()),
                    config.advertisedHost(),
                    certificate.fingerprint());
            if (OpenVpnStart.start(config, relay, OpenVpnPki::loadCopied) instanceof OpenVpnStart.Running running) {
                membership.servingOpenVpn(running.remote(), running.pki().profileFingerprint());
            }
            log.info("relay is ready; its certificate fingerprint is {}", certificate.fingerprint());
            return () -> {
                log.info("stopping");
                Builder.closeAll(parts.started);
                log.info("stopped cleanly");
            };
        } catch (RuntimeException | Error e) {
            parts.closeAll();
            throw e;
        }
    }

    public String apiUrl() {
        String host = config.advertisedHost();
        return "http://" + HostAndPort.format(host, api.port()) + "/";
    }

    public int apiPort() {
        return api.port();
    }

    public ServerConfig config() {
        return config;
    }

    public Database database() {
        return database;
    }

    public UserService users() {
        return users;
    }

    public DeviceService devices() {
        return devices;
    }

    public ConnectionService connections() {
        return connections;
    }

    public RotationService rotations() {
        return rotations;
    }

    public RelayCertificate certificate() {
        return certificate;
    }

    public Relay relay() {
        return relay;
    }

    /** Where the server's PostgreSQL is (the embedded one's too): what another relay of the farm is given. */
    public DatabaseSettings databaseSettings() {
        return databaseSettings;
    }

    /** Whether OpenVPN runs, and the profiles of OPENVPN connections when it does. */
    public OpenVpnProfiles openvpn() {
        return openvpn;
    }

    /** The proxy addresses customers are given: the advertised host and the relay's bound ports. */
    public ProxyEndpoints endpoints() {
        return endpoints;
    }

    /**
     * Completes, with what went wrong, when the server cannot go on: its embedded PostgreSQL died and could not be
     * started again. Its command then stops it and exits non-zero; the server does not end the process itself.
     */
    public CompletionStage<String> fatalFailure() {
        return postgres.failure();
    }

    /** Writes what the relay counted and the heartbeats it received to the database now. */
    public void flushToDatabase() {
        relay.flushUsage();
        deviceRegistry.flush();
    }

    @Override
    public void close() {
        log.info("stopping");
        Builder.closeAll(parts);
        log.info("stopped cleanly");
    }

    /** The parts started so far, closed in reverse order if a later one fails. */
    private static final class Builder {
        final ServerConfig config;
        final Deque<AutoCloseable> started = new ArrayDeque<>();
        Postgres postgres;
        Database database;
        ApiServer api;
        UserService users;
        DeviceService devices;
        ConnectionService connections;
        RotationService rotations;
        RelayCertificate certificate;
        Relay relay;
        DeviceRegistry deviceRegistry;
        ProxyEndpoints endpoints;
        OpenVpnProfiles openvpn;

        Builder(ServerConfig config) {
            this.config = config;
        }

        <T extends AutoCloseable> T open(T part) {
            started.push(part);
            return part;
        }

        void closeAll() {
            closeAll(started);
        }

        static void closeAll(Deque<AutoCloseable> parts) {
            while (!parts.isEmpty()) {
                AutoCloseable part = parts.pop();
                try {
                    part.close();
                } catch (Exception e) {
                    log.warn("could not stop {} cleanly", part.getClass().getSimpleName(), e);
                }
            }
        }
    }
}
