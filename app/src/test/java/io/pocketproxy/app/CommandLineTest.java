package io.pocketproxy.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pocketproxy.agent.egress.EgressProbe;
import io.pocketproxy.link.HostAndPort;
import io.pocketproxy.server.ServerConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class CommandLineTest {

    @Test
    void namesTheEnvironmentVariableOfEachOption() {
        assertThat(EnvironmentDefaults.variableFor("--api-port")).isEqualTo("POCKETPROXY_API_PORT");
        assertThat(EnvironmentDefaults.variableFor("--allow-private-webhooks"))
                .isEqualTo("POCKETPROXY_ALLOW_PRIVATE_WEBHOOKS");
    }

    @Test
    void takesOptionsFromTheEnvironmentAndTheCommandLineOverIt() {
        ServerConfig config = parse(
                Map.of(
                        "POCKETPROXY_API_PORT",
                        "9090",
                        "POCKETPROXY_ADMIN_PASSWORD",
                        "from-env-123",
                        "POCKETPROXY_SOCKS_PORT",
                        "2080"),
                "--socks-port",
                "3080",
                "--admin-email",
                "admin@example.com");

        assertThat(config.apiPort()).isEqualTo(9090);
        assertThat(config.relay().socksPort()).isEqualTo(3080);
        assertThat(config.adminPassword()).isEqualTo("from-env-123");
    }

    @Test
    void usesTheDocumentedDefaultsWithNothingSet() {
        ServerConfig config = parse(Map.of());

        assertThat(config.dataDir())
                .isEqualTo(Path.of("./data").toAbsolutePath().normalize());
        assertThat(config.apiPort()).isEqualTo(8080);
        assertThat(config.relay().httpPort()).isEqualTo(8081);
        assertThat(config.relay().socksPort()).isEqualTo(1080);
        assertThat(config.relay().linkPort()).isEqualTo(8443);
        assertThat(config.offlineAfter()).isEqualTo(Duration.ofMinutes(2));
        assertThat(config.alertCooldown()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.relay().usageFlush()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.bind()).isEqualTo("127.0.0.1");
    }

    @Test
    void readsDurationsAsPeopleWriteThem() {
        DurationConverter converter = new DurationConverter();

        assertThat(converter.convert("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(converter.convert("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(converter.convert("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(converter.convert("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(converter.convert("PT90S")).isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void refusesValuesTooLargeForWhatTheyMeasureRatherThanWrappingAround() {
        // Found by CommandLineValuesFuzzTest: the first read as 0 bytes, the others escaped as raw exceptions.
        assertThatThrownBy(() -> new SizeConverter().convert("17179869184g"))
                .isInstanceOf(CommandLine.TypeConversionException.class)
                .hasMessageContaining("too large");
        assertThatThrownBy(() -> new SizeConverter().convert("99999999999999999999"))
                .isInstanceOf(CommandLine.TypeConversionException.class);
        assertThat(new SizeConverter().convert("1GiB")).isEqualTo(1 << 30);
        assertThatThrownBy(() -> new DurationConverter().convert("1000000000000d"))
                .isInstanceOf(CommandLine.TypeConversionException.class)
                .hasMessageContaining("too long");
        assertThatThrownBy(() -> new DurationConverter().convert("99999999999999999999s"))
                .isInstanceOf(CommandLine.TypeConversionException.class);
    }

    @Test
    void explainsABadOptionValue() {
        StringWriter err = new StringWriter();
        CommandLine commandLine = Main.commandLine();
        commandLine.setErr(new PrintWriter(err));

        int exit = commandLine.execute("server", "--offline-after", "soon");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("'soon' is not a duration (expected: e.g. 500ms, 30s, 2m, 1h)");
    }

    @Test
    void theAgentsOwnEntryIsTheSameCommandAsUnderPocketproxy() {
        CommandLine underMain = Main.commandLine().getSubcommands().get("agent");
        CommandLine alone = Main.agentCommandLine();

        assertThat(alone.getUsageMessage()).isEqualTo(underMain.getUsageMessage());
        assertThat(alone.getUsageMessage()).startsWith("Usage: pocketproxy agent ");
    }

    @Test
    void reportsAFailingAgentInOneLineUnderItsFullName() {
        StringWriter err = new StringWriter();
        CommandLine commandLine = Main.agentCommandLine();
        commandLine.setErr(new PrintWriter(err));

        int exit = commandLine.execute("--pair", "pocketproxy://ppd_abcdefghijklmnopqrstuvwxyz012345@[::1:8443");

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString())
                .startsWith("pocketproxy agent: ")
                .doesNotContain("ppd_abcdefghijklmnopqrstuvwxyz012345");
    }

    @Test
    void takesAFarmsRelaysInTurnFromRelayOrAPairingString() {
        AgentCommand relays = new AgentCommand();
        new CommandLine(relays)
                .parseArgs(
                        "--relay",
                        "relay-a.example.com:8443, [::1]:9443",
                        "--token",
                        "ppd_abcdefghijklmnopqrstuvwxyz012345");
        AgentCommand paired = new AgentCommand();
        new CommandLine(paired)
                .parseArgs(
                        "--pair",
                        "pocketproxy://ppd_abcdefghijklmnopqrstuvwxyz012345@relay-a.example.com:8443,"
                                + "[::1]:9443?fp=q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8l9z0x1c");

        List<HostAndPort> farm = List.of(new HostAndPort("relay-a.example.com", 8443), new HostAndPort("::1", 9443));
        assertThat(relays.config().relays()).isEqualTo(farm);
        assertThat(paired.config().relays()).isEqualTo(farm);
    }

    @Test
    void reportsAFailingCommandInOneLine() {
        StringWriter err = new StringWriter();
        CommandLine commandLine = Main.commandLine();
        commandLine.setErr(new PrintWriter(err));

        int exit = commandLine.execute("migrate", "--database-url", "mysql://root:s3cret@db/pp");

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString())
                .startsWith("pocketproxy migrate: database-url:")
                .doesNotContain("s3cret")
                .doesNotContain("\tat ");
    }

    @Test
    void readsTheAgentsRelayAddressWithBracketsAroundIpv6() {
        AgentCommand agent = new AgentCommand();
        new CommandLine(agent).parseArgs("--relay", "[::1]:8443", "--token", "ppd_abcdefghijklmnopqrstuvwxyz012345");

        assertThat(agent.config().relayHost()).isEqualTo("::1");
        assertThat(agent.config().relayPort()).isEqualTo(8443);
        assertThat(agent.config().relayAddress()).isEqualTo("[::1]:8443");
    }

    @Test
    void refusesAnAmbiguousRelayAddress() {
        AgentCommand agent = new AgentCommand();
        new CommandLine(agent).parseArgs("--relay", "::1:8443", "--token", "ppd_abcdefghijklmnopqrstuvwxyz012345");

        assertThatThrownBy(agent::config)
                .hasMessage("--relay: address: ::1:8443 is ambiguous (expected: an IPv6 address in brackets, such as"
                        + " [2001:db8::1]:443)");
    }

    @Test
    void readsTheAgentsEgressIpUrl() {
        AgentCommand agent = agentWith("--egress-ip-url", "https://[2001:db8::7]/ip?format=text");

        EgressProbe.Service service = agent.config().egressIpUrl();

        assertThat(service.address()).isEqualTo(new HostAndPort("2001:db8::7", 443));
        assertThat(service.path()).isEqualTo("/ip?format=text");
        assertThat(service.tls()).isNotNull();
    }

    @Test
    void refusesAnEgressIpUrlItCannotAskAndAnEmptyStatusCommand() {
        AgentCommand ftp = agentWith("--egress-ip-url", "ftp://example.com/ip");
        AgentCommand empty = agentWith("--status-command", " ");

        assertThatThrownBy(ftp::config)
                .hasMessage("--egress-ip-url: ftp://example.com/ip: expected an http:// or https:// URL");
        assertThatThrownBy(empty::config).hasMessage("--status-command: empty (expected: a command to run)");
    }

    @Test
    void readsWhereTheAgentsConnectionsLeaveFromAndItsDnsServers() throws Exception {
        AgentCommand agent = agentWith("--bind-address", "127.0.0.2", "--dns", "192.0.2.53, [2001:db8::53]:5353");

        assertThat(agent.config().egressPath().localAddressFor(InetAddress.getByName("192.0.2.1")))
                .isEqualTo(InetAddress.getByName("127.0.0.2"));
        assertThat(agent.config().dnsServers())
                .containsExactly(
                        new InetSocketAddress(InetAddress.getByName("192.0.2.53"), 53),
                        new InetSocketAddress(InetAddress.getByName("2001:db8::53"), 5353));
    }

    @Test
    void refusesTwoEgressPathsAndDnsServersThatAreNotAddresses() {
        AgentCommand both = agentWith("--bind-address", "127.0.0.2", "--bind-interface", "wwan0");
        AgentCommand named = agentWith("--dns", "dns.example.com");

        assertThatThrownBy(both::config)
                .hasMessage("--bind-interface and --bind-address: both given (expected: one, or neither)");
        assertThatThrownBy(named::config)
                .hasMessageStartingWith("--dns: dns.example.com (expected: IP addresses with an optional port");
    }

    /** An agent command linking to a relay on loopback, with {@code options}. */
    private static AgentCommand agentWith(String... options) {
        AgentCommand agent = new AgentCommand();
        String[] args = new String[options.length + 4];
        System.arraycopy(
                new String[] {"--relay", "127.0.0.1:8443", "--token", "ppd_abcdefghijklmnopqrstuvwxyz012345"},
                0,
                args,
                0,
                4);
        System.arraycopy(options, 0, args, 4, options.length);
        new CommandLine(agent).parseArgs(args);
        return agent;
    }

    private static ServerConfig parse(Map<String, String> environment, String... args) {
        ServerCommand command = new ServerCommand();
        CommandLine commandLine = new CommandLine(command);
        commandLine.setDefaultValueProvider(new EnvironmentDefaults(environment));
        commandLine.parseArgs(args);
        return command.options.toConfig();
    }
}
