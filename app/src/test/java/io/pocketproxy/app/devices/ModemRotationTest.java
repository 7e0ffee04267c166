package io.pocketproxy.app.devices;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.pocketproxy.agent.Agent;
import io.pocketproxy.agent.command.DeviceCommand;
import io.pocketproxy.agent.egress.EgressPath;
import io.pocketproxy.agent.health.HealthSource;
import io.pocketproxy.app.dataplane.RunningSystem;
import io.pocketproxy.relay.directory.ConnectionType;
import io.pocketproxy.relay.openvpn.OpenVpnPrerequisites;
import io.pocketproxy.server.connections.IssuedPassword;
import io.pocketproxy.server.devices.NewDevice;
import io.pocketproxy.testkit.ApiClient;
import io.pocketproxy.testkit.ProxyClients;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A rotation that really changes where the device's traffic comes from: the agent is bound to a network interface of
 * the test's own (a veth pair whose far end lives in a namespace the test creates), and its rotate command moves that
 * interface to another address, as a modem's reconnect does. Customers' traffic and the egress IP follow. Needs root
 * and {@code ip}: without them a developer's run skips it; as root or in CI it fails instead.
 */
class ModemRotationTest {

    @RegisterExtension
    static final RunningSystem system = new RunningSystem();

    private static final Duration SEEN = Duration.ofSeconds(30);

    private static String id;
    private static String modem;
    private static String namespace;
    private static String before;
    private static String after;

    @BeforeAll
    static void plugInAModem() {
        if (!OpenVpnPrerequisites.runsAsRoot()
                || OpenVpnPrerequisites.find("ip").isEmpty()) {
            String reason = "the modem rotation test needs root and the ip program";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError(reason);
            }
            Assumptions.abort(reason);
        }
        SecureRandom random = new SecureRandom();
        id = HexFormat.of().toHexDigits((short) random.nextInt());
        int subnet = 1 + random.nextInt(250);
        modem = "ppm" + id + "a";
        namespace = "pocketproxy-" + id + "-modem";
        before = "10.253." + subnet + ".1";
        after = "10.253." + subnet + ".5";
        ip("netns", "add", namespace);
        ip("link", "add", modem, "type", "veth", "peer", "name", "ppm" + id + "b");
        ip("link", "set", "ppm" + id + "b", "netns", namespace);
        ip("addr", "add", before + "/30", "dev", modem);
        ip("link", "set", modem, "up");
        ip("-n", namespace, "link", "set", "ppm" + id + "b", "up");
    }

    @AfterAll
    static void unplugIt() {
        if (namespace != null) {
            // Deleting the namespace deletes the far end, and the pair with it; the link is deleted too in case not.
            run("ip", "link", "del", modem);
            run("ip", "netns", "del", namespace);
        }
    }

    @Test
    void aRotationThatMovesTheInterfaceToANewAddressMovesTheCustomersTraffic() throws IOException {
        NewDevice phone = system.server().devices().create(system.operator().id(), "modem " + modem);
        String rotate = "ip addr del " + before + "/30 dev " + modem + " && ip addr add " + after + "/30 dev " + modem;
        Agent agent = system.startAgent(
                phone.pairing(),
                true,
                config -> config.withEgress(EgressPath.ofInterface(modem), List.of())
                        .withRotateCommand(new DeviceCommand("--rotate-command", rotate, Duration.ofSeconds(30))),
                HealthSource.unknown());
        RunningSystem.awaitLinked(agent, 1);
        IssuedPassword http = system.server()
                .connections()
                .create(system.operator().id(), phone.device().id(), ConnectionType.HTTP, null);
        ApiClient api = system.operatorApi();
        String device = phone.device().id().toString();
        await().atMost(SEEN)
                .until(
                        () -> api.get("/api/devices/" + device)
                                .json()
                                .path("egress_ip")
                                .asText(),
                        before::equals);
        String seenBefore = whatTheTargetSees(http);

        long asked = System.nanoTime();
        ApiClient.Response started = api.post("/api/devices/" + device + "/rotate-ip", Map.of());
        JsonNode done = await().atMost(SEEN)
                .until(
                        () -> api.get("/api/devices/" + device + "/rotations")
                                .json()
                                .get(0),
                        rotation -> !"running".equals(rotation.path("status").asText()));
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - asked);
        System.out.println("modem rotation: from the API call to done in " + tookMillis + " ms (took_ms "
                + done.path("took_ms").asLong() + ")");

        assertThat(started.status()).isEqualTo(202);
        assertThat(seenBefore).isEqualTo(before);
        assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("done");
        assertThat(done.path("old_ip").asText()).isEqualTo(before);
        assertThat(done.path("new_ip").asText()).isEqualTo(after);
        assertThat(done.path("changed").asBoolean()).isTrue();
        assertThat(whatTheTargetSees(http)).isEqualTo(after);
        assertThat(api.get("/api/devices/" + device).json().path("egress_ip").asText())
                .isEqualTo(after);
    }

    /** The address the target's {@code /ip} sees a customer's request through the device come from. */
    private static String whatTheTargetSees(IssuedPassword http) throws IOException {
        return ProxyClients.get(
                        system.httpProxyPort(),
                        http.connection().username(),
                        http.password(),
                        system.http().url("/ip"))
                .trim();
    }

    private static void ip(String... arguments) {
        String[] command = new String[arguments.length + 1];
        command[0] = "ip";
        System.arraycopy(arguments, 0, command, 1, arguments.length);
        int exit = run(command);
        if (exit != 0) {
            throw new AssertionError(String.join(" ", command) + " failed with " + exit);
        }
    }

    private static int run(String... command) {
        try {
            Process process = new ProcessBuilder(command).inheritIO().start();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return -1;
            }
            return process.exitValue();
        } catch (IOException e) {
            throw new AssertionError("cannot run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
