package io.pocketproxy.app.openvpn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketproxy.testkit.ApiClient;
import io.pocketproxy.testkit.LocalHttpTarget;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * OpenVPN connections end to end: a real {@code openvpn} client imports the profile the API handed out, and the
 * customer's traffic and DNS leave through the device, counted and cut off like HTTP and SOCKS5 customers'.
 * See {@link OpenVpnLab} for the lab.
 */
class OpenVpnIT {

    private static final Duration SECOND = Duration.ofSeconds(1);

    @RegisterExtension
    static final OpenVpnLab lab = new OpenVpnLab();

    @Test
    void carriesADownloadAndAnUploadThroughTheDeviceByteForByte() throws IOException {
        OpenVpnLab.Connection connection = lab.newConnection(0);
        lab.connect(connection.profile());
        int size = 3 * 1024 * 1024 + 17;
        Path downloaded = lab.file("downloaded");
        Path upload = lab.file("upload");
        Path echoed = lab.file("echoed");
        byte[] uploadBytes = LocalHttpTarget.patternBytes(2 * 1024 * 1024 + 5);
        Files.write(upload, uploadBytes);

        Shell.Result download =
                lab.curl(Duration.ofSeconds(60), "-o", downloaded.toString(), lab.url("/bytes/" + size));
        Shell.Result echo = lab.curl(
                Duration.ofSeconds(60),
                "--data-binary",
                "@" + upload,
                "-H",
                "Content-Type: application/octet-stream",
                "-H",
                "Expect:",
                "-o",
                echoed.toString(),
                lab.url("/echo"));

        assertThat(download.exitCode()).as(download.output()).isZero();
        assertThat(Files.readAllBytes(downloaded)).isEqualTo(LocalHttpTarget.patternBytes(size));
        assertThat(echo.exitCode()).as(echo.output()).isZero();
        assertThat(Files.readAllBytes(echoed)).isEqualTo(uploadBytes);
        // Every request reached the destination from the device's namespace, none from the VPN's addresses.
        assertThat(lab.destination().clientAddresses())
                .isNotEmpty()
                .containsOnly(InetAddress.getByName(lab.network().serverHostAddress()));
        // Both ways counted: at least the bodies, and no more than the bodies with their HTTP framing (heads, and the
        // chunk sizes of the echo's chunked answer).
        long bodies = (long) size + 2L * uploadBytes.length;
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(lab.usage(connection.id())).isBetween(bodies, bodies + 16 * 1024));
    }

    @Test
    void resolvesNamesOnTheDeviceForAnyResolverTheCustomerAsks() {
        OpenVpnLab.Connection connection = lab.newConnection(0);
        lab.connect(connection.profile());

        // The customer's resolver is 192.0.2.53, which nobody serves; the name exists only in the device's hosts.
        Shell.Result byName = lab.curl(Duration.ofSeconds(20), lab.urlByDeviceName("/hello"));
        Shell.Result unknown = lab.network().inClient(Duration.ofSeconds(20), "getent", "hosts", "no-such.device.test");
        Shell.Result fromServer = lab.network().inServer("getent", "hosts", OpenVpnLab.DEVICE_NAME);

        assertThat(byName.exitCode()).as(byName.output()).isZero();
        assertThat(byName.output()).isEqualTo("hello");
        assertThat(unknown.exitCode()).isNotZero();
        assertThat(fromServer.exitCode())
                .as("the relay's own resolver must not know the name")
                .isNotZero();
    }

    @Test
    void answersDnsOverTcpAndCountsDnsAgainstTheConnection() {
        OpenVpnLab.Connection connection = lab.newConnection(0);
        lab.connect(connection.profile());

        Shell.Result known = java(DnsOverTcpProbe.class, "203.0.113.53", OpenVpnLab.DEVICE_NAME);
        Shell.Result unknown = java(DnsOverTcpProbe.class, "203.0.113.53", "no-such.device.test");

        assertThat(known.output().strip())
                .as(known.output())
                .endsWith("rcode=0 " + lab.network().hostAddress());
        assertThat(unknown.output().strip()).as(unknown.output()).endsWith("rcode=3"); // NXDOMAIN
        // Two queries and two answers, no tunnel: what was counted is DNS.
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(lab.usage(connection.id())).isBetween(4L * 12, 1024L));
    }

    @Test
    void keepsTheCustomersPasswordOutOfEveryFileLogAndCommandLine() throws IOException {
        OpenVpnLab.Connection connection = lab.newConnection(0);
        lab.connect(connection.profile());
        assertThat(lab.curl(Duration.ofSeconds(20), lab.url("/hello")).output()).isEqualTo("hello");

        byte[] password = connection.password().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        try (var files = Files.walk(lab.dataDir())) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                assertThat(indexOf(Files.readAllBytes(file), password))
                        .as(file.toString())
                        .isNegative();
            }
        }
        assertThat(lab.server().stderr()).doesNotContain(connection.password());
        ProcessHandle.allProcesses()
                .forEach(process ->
                        assertThat(process.info().commandLine().orElse("")).doesNotContain(connection.password()));
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** One of our probes, run in the customer's namespace. */
    private static Shell.Result java(Class<?> probe, String... arguments) {
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-cp",
                System.getProperty("java.class.path"),
                probe.getName()));
        command.addAll(java.util.List.of(arguments));
        return lab.network().inClient(Duration.ofSeconds(30), command.toArray(String[]::new));
    }

    @Test
    void refusesOtherUdpWithPortUnreachableSoQuicFallsBackToTcp() {
        lab.connect(lab.newConnection(0).profile());

        Shell.Result probe = java(UdpProbe.class, "198.51.100.7", "443");

        assertThat(probe.output().strip()).as(probe.output()).endsWith("refused");
    }

    @Test
    void keepsADualStackCustomersIpv6FromGoingAroundTheDevice() {
        String around = "[" + NetworkLab.AROUND_THE_DEVICE_IPV6 + "]";
        Shell.Result before = java(UdpProbe.class, NetworkLab.AROUND_THE_DEVICE_IPV6, "9");
        assertThat(before.output().strip())
                .as("without the VPN the customer's IPv6 reaches %s (its kernel refuses the port)", around)
                .endsWith("refused");

        lab.connect(lab.newConnection(0).profile());
        Shell.Result after = java(UdpProbe.class, NetworkLab.AROUND_THE_DEVICE_IPV6, "9");

        // Into the tunnel, where OpenVPN refuses it (block-ipv6): nothing reaches the address around the device.
        assertThat(lab.network()
                        .inClient(Duration.ofSeconds(10), "ip", "-6", "route", "get", NetworkLab.AROUND_THE_DEVICE_IPV6)
                        .output())
                .contains("dev tun");
        assertThat(after.output().strip()).as(after.output()).matches("silent|unreachable.*");
    }

    @Test
    void neverForwardsTheCustomersPacketsPastTheServer() {
        // The way back exists (the server's namespace forwards, and this namespace routes the pool to it): only
        // the endpoint's own rules stand between the customer's pings and this namespace.
        Shell.require(
                "ip", "route", "add", lab.poolNetwork(), "via", lab.network().serverHostAddress());
        try {
            lab.connect(lab.newConnection(0).profile());

            Shell.Result ping = java(EchoProbe.class, lab.network().hostAddress());

            assertThat(ping.output().strip()).as(ping.output()).endsWith("unreachable");
        } finally {
            Shell.run(
                    "ip",
                    "route",
                    "del",
                    lab.poolNetwork(),
                    "via",
                    lab.network().serverHostAddress());
        }
    }

    @Test
    void refusesAWrongPassword() {
        OpenVpnLab.Connection connection = lab.newConnection(0);
        String wrong = connection.profile().replace(connection.password(), "not-the-password-at-all");

        OpenVpnClient client = lab.start(wrong);

        client.awaitExit(Duration.ofSeconds(30));
        assertThat(client.log())
                .contains("AUTH_FAILED,wrong username or password")
                .doesNotContain(OpenVpnClient.CONNECTED);
    }

    @Test
    void cutsOffAtTheLimitWithZeroOvershootAndTellsTheCustomerWhyThenResetLetsItBackIn() {
        long limit = 1024 * 1024 + 333;
        OpenVpnLab.Connection connection = lab.newConnection(limit);
        OpenVpnClient client = lab.connect(connection.profile());

        Shell.Result download = lab.curl(Duration.ofSeconds(10), "-o", "/dev/null", lab.url("/bytes/" + 4 * limit));

        assertThat(download.exitCode()).as("the download cannot complete").isNotZero();
        client.awaitExit(Duration.ofSeconds(15)); // killed, and its return refused: it gives up
        assertThat(client.log())
                .contains("Connection reset command was pushed by server")
                .contains("AUTH_FAILED,bandwidth limit reached");
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(lab.usage(connection.id())).isEqualTo(limit));

        OpenVpnLab.expect(200, lab.api().post("/api/connections/" + connection.id() + "/reset-bandwidth", Map.of()));
        lab.connectOnceLetIn(connection.profile());

        Shell.Result again = lab.curl(Duration.ofSeconds(20), lab.url("/hello"));
        assertThat(again.output()).as(again.toString()).isEqualTo("hello");
    }

    @Test
    void aHigherLimitLetsTheCustomerBackInAtOnce() {
        OpenVpnLab.Connection connection = lab.newConnection(64 * 1024);
        OpenVpnClient first = lab.connect(connection.profile());
        lab.curl(Duration.ofSeconds(10), "-o", "/dev/null", lab.url("/bytes/" + 256 * 1024));
        first.awaitExit(Duration.ofSeconds(15));

        OpenVpnLab.expect(
                200, lab.api().patch("/api/connections/" + connection.id(), Map.of("bandwidth_limit", 10L << 20)));
        lab.connectOnceLetIn(connection.profile());

        assertThat(lab.curl(Duration.ofSeconds(20), lab.url("/hello")).output()).isEqualTo("hello");
    }

    @Test
    void disablingEndsTheSessionWithinASecond() {
        OpenVpnLab.Connection connection = lab.newConnection(0);
        OpenVpnClient client = lab.connect(connection.profile());

        OpenVpnLab.expect(200, lab.api().patch("/api/connections/" + connection.id(), Map.of("active", false)));

        client.awaitLog("Connection reset command was pushed by server", SECOND);
        client.awaitExit(Duration.ofSeconds(15));
        assertThat(client.log()).contains("AUTH_FAILED,connection disabled");
    }

    @Test
    void deletingEndsTheSessionWithinASecond() {
        OpenVpnLab.Connection connection = lab.newConnection(0);
        OpenVpnClient client = lab.connect(connection.profile());

        assertThat(lab.api().delete("/api/connections/" + connection.id()).status())
                .isEqualTo(204);

        client.awaitLog("Connection reset command was pushed by server", SECOND);
        client.awaitExit(Duration.ofSeconds(15));
        assertThat(client.log()).contains("AUTH_FAILED,wrong username or password");
    }

    @Test
    void aNewPasswordEndsTheSessionWithinASecondAndOnlyTheNewProfileGetsIn() {
        OpenVpnLab.Connection connection = lab.newConnection(0);
        OpenVpnClient client = lab.connect(connection.profile());

        ApiClient.Response regenerated =
                lab.api().post("/api/connections/" + connection.id() + "/regenerate-password", Map.of());

        client.awaitLog("Connection reset command was pushed by server", SECOND);
        client.awaitExit(Duration.ofSeconds(15));
        assertThat(client.log()).contains("AUTH_FAILED,wrong username or password");
        String newProfile = OpenVpnLab.expect(200, regenerated).get("ovpn").asText();
        assertThat(newProfile).doesNotContain(connection.password());
        lab.connect(newProfile);
        assertThat(lab.curl(Duration.ofSeconds(20), lab.url("/hello")).output()).isEqualTo("hello");
    }

    @Test
    void resetsNewFlowsAtOnceWhileTheDeviceIsOfflineAndCarriesThemWhenItReturns() {
        OpenVpnLab.Connection connection = lab.newConnection(0);
        OpenVpnClient client = lab.connect(connection.profile());
        try {
            lab.stopAgent();

            Instant before = Instant.now();
            Shell.Result refused = lab.curl(Duration.ofSeconds(20), lab.url("/hello"));
            Duration took = Duration.between(before, Instant.now());

            // The kernel completes the handshake and the relay then resets the flow. When the reset comes within
            // milliseconds, curl is still waiting for its connect to complete and reports a failed connect (7)
            // rather than a reset read (56); both are the reset, and neither is a timeout (28).
            assertThat(refused.exitCode()).as(refused.output()).isIn(7, 56);
            assertThat(refused.output()).containsAnyOf("reset by peer", "Couldn't connect to server");
            assertThat(took).isLessThan(Duration.ofSeconds(5));
        } finally {
            lab.startAgent();
        }
        assertThat(lab.curl(Duration.ofSeconds(20), lab.url("/hello")).output()).isEqualTo("hello");
        assertThat(client.isAlive()).isTrue();
        assertThat(client.connections()).as("the session stayed up").isEqualTo(1);
    }

    @Test
    void downloadsTheProfileWithoutCredentialsAndTheClientAsksForThem() {
        OpenVpnLab.Connection connection = lab.newConnection(0);

        ApiClient.Response download = lab.api().get("/api/connections/" + connection.id() + "/ovpn");

        assertThat(download.status()).isEqualTo(200);
        assertThat(download.header("Content-Type")).startsWith("application/x-openvpn-profile");
        assertThat(download.header("Content-Disposition"))
                .isEqualTo("attachment; filename=\"" + connection.username() + ".ovpn\"");
        assertThat(download.body())
                .contains("\nauth-user-pass\n")
                .doesNotContain(connection.password())
                .doesNotContain("<auth-user-pass>");
        // The same profile, but for its credentials.
        assertThat(connection
                        .profile()
                        .replace(
                                "<auth-user-pass>\n" + connection.username() + "\n" + connection.password()
                                        + "\n</auth-user-pass>\n",
                                "auth-user-pass\n"))
                .isEqualTo(download.body());
    }
}
