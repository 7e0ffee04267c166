package io.pocketproxy.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketproxy.relay.openvpn.OpenVpnMode;
import io.pocketproxy.relay.openvpn.OpenVpnProtocol;
import io.pocketproxy.server.ServerConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code --openvpn}, {@code --openvpn-proto} and {@code --openvpn-network} as operators write them. */
class OpenVpnOptionsTest {

    @Test
    void readsTheOptionsAndTheirEnvironmentVariables() {
        ServerCommand server = new ServerCommand();
        CommandLine commandLine = new CommandLine(server);
        commandLine.setDefaultValueProvider(new EnvironmentDefaults(Map.of("POCKETPROXY_OPENVPN_PROTO", "TCP")));

        commandLine.parseArgs("--openvpn", "on", "--openvpn-network", "10.77.0.0/20", "--openvpn-port", "443");
        ServerConfig config = server.options.toConfig();

        assertThat(config.openvpn()).isEqualTo(OpenVpnMode.ON);
        assertThat(config.openvpnProto()).isEqualTo(OpenVpnProtocol.TCP);
        assertThat(config.openvpnNetwork()).hasToString("10.77.0.0/20");
        assertThat(config.openvpnPort()).isEqualTo(443);
    }

    @Test
    void defaultsToAutoOverUdpFrom10Dot8() {
        ServerCommand server = new ServerCommand();
        CommandLine commandLine = new CommandLine(server);
        commandLine.setDefaultValueProvider(new EnvironmentDefaults(Map.of()));

        commandLine.parseArgs();
        ServerConfig config = server.options.toConfig();

        assertThat(config.openvpn()).isEqualTo(OpenVpnMode.AUTO);
        assertThat(config.openvpnProto()).isEqualTo(OpenVpnProtocol.UDP);
        assertThat(config.openvpnNetwork()).hasToString("10.8.0.0/16");
    }

    @Test
    void explainsBadValues() {
        assertThat(refusal("--openvpn", "maybe")).contains("openvpn: maybe (expected: auto, on or off)");
        assertThat(refusal("--openvpn-proto", "quic")).contains("openvpn-proto: quic (expected: udp or tcp)");
        assertThat(refusal("--openvpn-network", "10.8.0.1/16"))
                .contains("openvpn-network: 10.8.0.1/16 has host bits set (expected: the network's first address,"
                        + " such as 10.8.0.0/16)");
    }

    private static String refusal(String... arguments) {
        StringWriter err = new StringWriter();
        CommandLine commandLine = Main.commandLine();
        commandLine.setErr(new PrintWriter(err));
        String[] command = new String[arguments.length + 1];
        command[0] = "server";
        System.arraycopy(arguments, 0, command, 1, arguments.length);

        assertThat(commandLine.execute(command)).isEqualTo(2);
        return err.toString();
    }
}
