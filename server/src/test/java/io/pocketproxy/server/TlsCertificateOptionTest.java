package io.pocketproxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pocketproxy.link.PairingString;
import io.pocketproxy.relay.openvpn.OpenVpnMode;
import io.pocketproxy.relay.tls.RelayCertificate;
import io.pocketproxy.testkit.ApiClient;
import io.pocketproxy.testkit.TestPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --tls-cert/--tls-key}: an operator's own certificate for the device link, pinned like the self-signed one. */
class TlsCertificateOptionTest {

    @TempDir
    Path dataDir;

    @TempDir
    Path certificates;

    @Test
    void pairsDevicesWithTheGivenCertificate() throws IOException {
        RelayCertificate own = RelayCertificate.loadOrCreate(certificates);
        ServerConfig config = ServerConfig.builder(dataDir)
                .databaseUrl(TestPostgres.shared().newDatabaseUrl())
                .ephemeralPorts()
                .openvpn(OpenVpnMode.OFF)
                .admin("admin@example.com", "admin password 1")
                .tls(
                        certificates.resolve(RelayCertificate.CERTIFICATE_FILE),
                        certificates.resolve(RelayCertificate.KEY_FILE))
                .build();

        try (PocketProxyServer server = PocketProxyServer.start(config)) {
            ApiClient admin = ApiClient.anonymous("http://127.0.0.1:" + server.apiPort())
                    .login("admin@example.com", "admin password 1");
            String pairing = admin.post("/api/devices", Map.of("name", "phone"))
                    .json()
                    .get("pairing")
                    .asText();

            assertThat(PairingString.parse(pairing).relayFingerprint()).isEqualTo(own.fingerprint());
            assertThat(dataDir.resolve(RelayCertificate.CERTIFICATE_FILE)).doesNotExist();
        }
    }

    @Test
    void explainsAnUnreadableCertificate() throws IOException {
        Path garbage = Files.writeString(certificates.resolve("cert.pem"), "not a certificate");

        assertThatThrownBy(() -> ServerConfig.builder(dataDir)
                        .tls(garbage, garbage)
                        .build()
                        .relayCertificate())
                .hasMessageContaining("tls-cert/tls-key: cannot read")
                .hasMessageContaining("expected: a PEM certificate");
    }
}
