package io.pocketproxy.app.devices;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.pocketproxy.agent.Agent;
import io.pocketproxy.agent.command.DeviceCommand;
import io.pocketproxy.agent.egress.EgressProbe;
import io.pocketproxy.agent.health.HealthSource;
import io.pocketproxy.agent.health.PeriodicHealth;
import io.pocketproxy.agent.health.StatusCommandHealth;
import io.pocketproxy.app.dataplane.RunningSystem;
import io.pocketproxy.link.LinkFeature;
import io.pocketproxy.relay.directory.ConnectionType;
import io.pocketproxy.relay.link.DeviceLink;
import io.pocketproxy.relay.link.DeviceRefusal;
import io.pocketproxy.server.connections.IssuedPassword;
import io.pocketproxy.server.devices.NewDevice;
import io.pocketproxy.testkit.ApiClient;
import io.pocketproxy.testkit.LocalHttpTarget;
import io.pocketproxy.testkit.LogCapture;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an operator sees of each device (README "Devices"): egress IP, link address, agent version and health, through
 * the real agent, relay, database and REST API; and an agent of the first link protocol, which keeps proxying.
 */
class DeviceHealthTest {

    @RegisterExtension
    static final RunningSystem system = new RunningSystem();

    @RegisterExtension
    static final LogCapture logs = new LogCapture();

    private static final Duration SEEN = Duration.ofSeconds(20);
    private static final Duration MEASURED_OFTEN = Duration.ofMillis(200);

    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void closeOpened() throws Exception {
        for (AutoCloseable part : opened) {
            part.close();
        }
    }

    @Test
    void showsTheEgressIpTheRelaySeesTheLinkAddressAndTheAgentVersion() {
        ApiClient api = system.operatorApi();
        String id = system.device().device().id().toString();

        JsonNode device = awaitDevice(api, id, read -> !read.path("egress_ip").isNull());

        assertThat(device.path("egress_ip").asText()).isEqualTo("127.0.0.1");
        assertThat(device.path("link_address").asText()).isEqualTo("127.0.0.1");
        assertThat(device.path("agent_version").asText()).isEqualTo(Agent.VERSION);
        assertThat(system.agent().egressIp()).isEqualTo("127.0.0.1");
        for (String unknown : List.of("battery_percent", "charging", "signal_dbm", "network_type", "carrier")) {
            assertThat(device.has(unknown)).as(unknown).isTrue();
            assertThat(device.path(unknown).isNull()).as(unknown).isTrue();
        }
        assertThat(device.path("status_updated_at").isNull()).isTrue();
    }

    @Test
    void showsWhatTheStatusCommandPrints() {
        NewDevice phone = system.server().devices().create(system.operator().id(), "phone with a status command");
        startAgent(
                phone,
                config -> config,
                statusCommand(
                        "printf '%s' '{\"battery_percent\": 77, \"charging\": true,"
                                + " \"signal_dbm\": -85, \"network_type\": \"LTE\", \"carrier\": \"Test Mobile\", \"extra\": 1}'"));

        JsonNode device = awaitDevice(
                system.operatorApi(),
                phone.device().id().toString(),
                read -> !read.path("carrier").isNull());

        assertThat(device.path("battery_percent").asInt()).isEqualTo(77);
        assertThat(device.path("charging").asBoolean()).isTrue();
        assertThat(device.path("signal_dbm").asInt()).isEqualTo(-85);
        assertThat(device.path("network_type").asText()).isEqualTo("LTE");
        assertThat(device.path("carrier").asText()).isEqualTo("Test Mobile");
        assertThat(device.path("status_updated_at").isNull()).isFalse();
    }

    @Test
    void aStatusCommandPrintingGarbageLeavesHealthUnknownSaysSoOnceAndBreaksNothing(@TempDir Path directory)
            throws Exception {
        NewDevice phone = system.server().devices().create(system.operator().id(), "phone with a broken command");
        Path runs = directory.resolve("runs");
        {
            Agent agent = startAgent(
                    phone, config -> config, statusCommand("echo run >> '" + runs + "'; echo 'battery: full'"));
            RunningSystem.awaitLinked(agent, 1);
            String id = phone.device().id().toString();
            JsonNode device = awaitDevice(
                    system.operatorApi(),
                    id,
                    read -> "online".equals(read.path("status").asText())
                            && !read.path("egress_ip").isNull());
            IssuedPassword http = system.server()
                    .connections()
                    .create(system.operator().id(), phone.device().id(), ConnectionType.HTTP, null);

            assertThat(connectStatus(http)).isEqualTo(200);
            assertThat(device.path("battery_percent").isNull()).isTrue();
            assertThat(device.path("carrier").isNull()).isTrue();
            // Measured every 200 ms, but the same error is said once.
            await().atMost(SEEN)
                    .until(() -> Files.exists(runs) && Files.readAllLines(runs).size() >= 5);
            assertThat(logs.lines().stream().filter(line -> line.contains("--status-command:")))
                    .singleElement()
                    .asString()
                    .contains("printed something that is not JSON")
                    .contains("stay unknown until it works");
        }
    }

    @Test
    void measuresTheEgressIpWithTheOperatorsServiceWhenGivenOne() throws Exception {
        // On ::1, so its answer differs from the relay's (which the agent reaches on 127.0.0.1).
        LocalHttpTarget whatIsMyIp = LocalHttpTarget.start(InetAddress.getByName("::1"));
        opened.add(whatIsMyIp);
        NewDevice phone = system.server().devices().create(system.operator().id(), "phone with an IP service");
        startAgent(
                phone,
                config ->
                        config.withEgressIpUrl(EgressProbe.Service.ofUrl("http://[::1]:" + whatIsMyIp.port() + "/ip")),
                HealthSource.unknown());

        JsonNode device = awaitDevice(
                system.operatorApi(),
                phone.device().id().toString(),
                read -> !read.path("egress_ip").isNull());

        assertThat(device.path("egress_ip").asText()).isEqualTo("::1");
        assertThat(device.path("link_address").asText()).isEqualTo("127.0.0.1");
    }

    @Test
    void anAgentOfTheFirstProtocolKeepsProxyingAndIsAskedNothingNewer() throws Exception {
        NewDevice old = system.server().devices().create(system.operator().id(), "phone with an old agent");
        Agent agent = startAgent(old, config -> config.withFeatures(Set.of()), HealthSource.unknown());
        RunningSystem.awaitLinked(agent, 1);
        UUID id = old.device().id();
        DeviceLink link = await().atMost(SEEN)
                .until(() -> system.server().relay().links().find(id).orElse(null), found -> found != null);
        IssuedPassword http =
                system.server().connections().create(system.operator().id(), id, ConnectionType.HTTP, null);

        assertThat(link.features()).isEmpty();
        assertThat(connectStatus(http)).isEqualTo(200);
        JsonNode device = awaitDevice(
                system.operatorApi(),
                id.toString(),
                read -> "online".equals(read.path("status").asText()));
        assertThat(device.path("agent_version").asText()).isEqualTo(Agent.VERSION);
        assertThat(device.path("egress_ip").isNull()).isTrue(); // it cannot ask the relay, and was not told to ask
        assertThat(agent.egressIp()).isNull();
        assertThatThrownBy(() -> link.resolve("localhost").join())
                .isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(DeviceRefusal.class);
        // A current agent is asked, and answers.
        DeviceLink current = system.server()
                .relay()
                .links()
                .find(system.device().device().id())
                .orElseThrow();
        assertThat(current.features()).containsExactlyInAnyOrderElementsOf(LinkFeature.all());
        assertThat(current.resolve("localhost").join()).contains(InetAddress.getByName("127.0.0.1"));
    }

    private static int connectStatus(IssuedPassword http) throws java.io.IOException {
        return system.connectStatus(http.connection().username(), http.password());
    }

    private Agent startAgent(
            NewDevice device, UnaryOperator<io.pocketproxy.agent.AgentConfig> adjust, HealthSource health) {
        return system.startAgent(device.pairing(), true, adjust, health);
    }

    private HealthSource statusCommand(String command) {
        PeriodicHealth health = PeriodicHealth.start(
                "--status-command",
                new StatusCommandHealth(new DeviceCommand("--status-command", command, Duration.ofSeconds(10))),
                MEASURED_OFTEN);
        opened.add(health);
        return health;
    }

    private static JsonNode awaitDevice(ApiClient api, String id, java.util.function.Predicate<JsonNode> until) {
        return await().atMost(SEEN).until(() -> api.get("/api/devices/" + id).json(), until::test);
    }
}
