package io.pocketproxy.relay.openvpn;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The security defaults of the configuration OpenVPN is started with, line by line: removing one changes nothing
 * a 2.6 client would notice in the end-to-end tests (it would negotiate the same), so it is checked here.
 */
class OpenVpnProcessTest {

    @TempDir
    Path dataDir;

    @Test
    void startsOpenVpnWithModernCryptoNoCompressionAndNoWayAroundTheDevice() {
        OpenVpnSettings settings = new OpenVpnSettings(
                dataDir,
                OpenVpnPki.loadOrCreate(dataDir),
                new OpenVpnPrerequisites.Tools(
                        Path.of("/usr/sbin/openvpn"), Path.of("/usr/sbin/nft"), Path.of("/sbin/ip")),
                "0.0.0.0",
                1194,
                OpenVpnProtocol.UDP,
                PoolNetwork.parse("10.8.0.0/16"),
                Duration.ofSeconds(30));
        OpenVpnNames names = settings.names();

        String configuration = OpenVpnProcess.configuration(settings, names);

        assertThat(configuration.lines())
                .contains(
                        "tls-version-min 1.2",
                        "data-ciphers AES-256-GCM:CHACHA20-POLY1305",
                        "allow-compression no",
                        "verify-client-cert none",
                        "management-client-auth",
                        "management " + names.managementSocket() + " unix",
                        "tls-crypt " + settings.pki().tlsCryptKeyFile(),
                        "push \"redirect-gateway def1 ipv6\"",
                        "push \"ifconfig-ipv6 " + names.clientIpv6() + " " + names.clientIpv6Gateway() + "\"",
                        "block-ipv6")
                .noneMatch(line -> line.startsWith("script-security") || line.startsWith("auth-user-pass-verify"))
                .noneMatch(line -> line.startsWith("comp-lzo") || line.startsWith("compress"));
        assertThat(names.clientIpv6()).matches("fd[0-9a-f]{2}:[0-9a-f]{4}:[0-9a-f]{4}::2/64");
        assertThat(names.clientIpv6Gateway()).isEqualTo(names.clientIpv6().replace("::2/64", "::1"));
    }
}
