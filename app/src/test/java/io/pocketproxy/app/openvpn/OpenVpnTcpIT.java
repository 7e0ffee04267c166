package io.pocketproxy.app.openvpn;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketproxy.testkit.LocalHttpTarget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code --openvpn-proto tcp}, for customers behind firewalls that let only TCP out. */
class OpenVpnTcpIT {

    @RegisterExtension
    static final OpenVpnLab lab = new OpenVpnLab("--openvpn-proto", "tcp", "--openvpn-port", "1443");

    @Test
    void servesClientsOverTcp() throws IOException {
        OpenVpnLab.Connection connection = lab.newConnection(0);
        assertThat(connection.profile()).contains("proto tcp-client\n", "remote 192.168.77.1 1443 tcp-client\n");
        lab.connect(connection.profile());
        Path downloaded = lab.file("over-tcp");

        Shell.Result download =
                lab.curl(Duration.ofSeconds(60), "-o", downloaded.toString(), lab.url("/bytes/" + 1_000_003));

        assertThat(download.exitCode()).as(download.output()).isZero();
        assertThat(Files.readAllBytes(downloaded)).isEqualTo(LocalHttpTarget.patternBytes(1_000_003));
        assertThat(lab.curl(Duration.ofSeconds(20), lab.urlByDeviceName("/hello"))
                        .output())
                .isEqualTo("hello");
    }
}
