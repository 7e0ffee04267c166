package io.pocketproxy.app.devices;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.pocketproxy.agent.egress.EgressPath;
import io.pocketproxy.agent.health.HealthSource;
import io.pocketproxy.app.dataplane.RunningSystem;
import io.pocketproxy.relay.directory.ConnectionType;
import io.pocketproxy.server.connections.IssuedPassword;
import io.pocketproxy.server.devices.NewDevice;
import io.pocketproxy.testkit.ApiClient;
import io.pocketproxy.testkit.LocalDnsServer;
import io.pocketproxy.testkit.ProxyClients;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Several modems on one host (README "Several modems on one host"): an agent bound to an address or an interface
 * sends customers' connections, its name lookups and its egress IP measurement from there. Loopback stands in for
 * a modem: every 127.x.y.z is this host's, so binding 127.0.0.2 is real and shows at the other end.
 */
class EgressBindingTest {

    @RegisterExtension
    static final RunningSystem system = new RunningSystem();

    private static final Duration SEEN = Duration.ofSeconds(20);
    private static final String TARGET_NAME = "origin.pocketproxy.test";
    private static final LocalDnsServer dns = LocalDnsServer.start(Map.of(TARGET_NAME, loopback()));

    @AfterAll
    static void stopDns() {
        dns.close();
    }

    @Test
    void anAgentBoundToAnAddressConnectsResolvesAndMeasuresFromIt() throws Exception {
        InetAddress modem = InetAddress.getByName("127.0.0.2");
        NewDevice phone = device("modem 2", EgressPath.ofAddress(modem));
        IssuedPassword http = connection(phone);

        JsonNode device = awaitDevice(phone, read -> !read.path("egress_ip").isNull());
        String seenByIp = get(http, system.http().url("/ip"));
        String seenByName =
                get(http, "http://" + TARGET_NAME + ":" + system.http().port() + "/ip");

        assertThat(device.path("egress_ip").asText()).isEqualTo("127.0.0.2");
        assertThat(device.path("link_address").asText()).isEqualTo("127.0.0.1"); // the link itself is not bound
        assertThat(seenByIp).isEqualTo("127.0.0.2");
        assertThat(seenByName).isEqualTo("127.0.0.2");
        assertThat(dns.questions())
                .filteredOn(question -> question.name().equals(TARGET_NAME))
                .isNotEmpty()
                .allSatisfy(question -> assertThat(question.from()).isEqualTo(modem));
    }

    @Test
    void anAgentBoundToAnInterfaceUsesItsAddressAndOneWithoutItRefusesClearly() throws Exception {
        NewDevice onLoopback = device("modem on lo", EgressPath.ofInterface("lo"));
        NewDevice unplugged = device("unplugged modem", EgressPath.ofInterface("ppnomodem0"));
        IssuedPassword viaLoopback = connection(onLoopback);
        IssuedPassword viaUnplugged = connection(unplugged);

        JsonNode device =
                awaitDevice(onLoopback, read -> !read.path("egress_ip").isNull());
        ProxyClients.HttpHead refused = ProxyClients.forward(
                system.httpProxyPort(),
                viaUnplugged.connection().username(),
                viaUnplugged.password(),
                "GET",
                system.http().url("/ip"),
                null);
        refused.socket().close();

        assertThat(device.path("egress_ip").asText()).isEqualTo("127.0.0.1");
        assertThat(get(viaLoopback, system.http().url("/ip"))).isEqualTo("127.0.0.1");
        assertThat(refused.status()).isEqualTo(502);
        assertThat(refused.header("Proxy-Status")).contains("error=destination_unavailable");
        assertThat(system.operatorApi()
                        .get("/api/devices/" + unplugged.device().id())
                        .json()
                        .path("egress_ip")
                        .isNull())
                .isTrue();
    }

    private static NewDevice device(String name, EgressPath path) {
        return system.linkedDevice(
                        name, config -> config.withEgress(path, List.of(dns.address())), HealthSource.unknown())
                .device();
    }

    private static IssuedPassword connection(NewDevice device) {
        return system.server()
                .connections()
                .create(system.operator().id(), device.device().id(), ConnectionType.HTTP, null);
    }

    /** A plain {@code http://} request through the device; the answer's body. */
    private static String get(IssuedPassword http, String url) throws IOException {
        return ProxyClients.get(system.httpProxyPort(), http.connection().username(), http.password(), url)
                .trim();
    }

    private static JsonNode awaitDevice(NewDevice device, java.util.function.Predicate<JsonNode> until) {
        ApiClient api = system.operatorApi();
        return await().atMost(SEEN)
                .until(() -> api.get("/api/devices/" + device.device().id()).json(), until::test);
    }

    private static Inet4Address loopback() {
        try {
            return (Inet4Address) InetAddress.getByName("127.0.0.1");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
