package io.pocketproxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pocketproxy.relay.RelayConfig;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ServerConfigTest {

    @Test
    void hasTheDocumentedDefaults() {
        ServerConfig config = ServerConfig.builder(Path.of("data")).build();

        assertThat(config.dataDir()).isEqualTo(Path.of("data").toAbsolutePath());
        assertThat(config.embeddedDatabase()).isTrue();
        assertThat(config.bind()).isEqualTo("127.0.0.1");
        assertThat(config.advertisedHost()).isEqualTo("127.0.0.1");
        assertThat(config.apiPort()).isEqualTo(8080);
        assertThat(config.relay().httpPort()).isEqualTo(8081);
        assertThat(config.relay().socksPort()).isEqualTo(1080);
        assertThat(config.relay().linkPort()).isEqualTo(8443);
        assertThat(config.offlineAfter()).isEqualTo(Duration.ofMinutes(2));
        assertThat(config.alertCooldown()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.relay().usageFlush()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.allowPrivateWebhooks()).isFalse();
        assertThat(config.trustForwardedProto()).isFalse();
    }

    @Test
    void otherRelaysReachThisOneAtItsRelayHostElseAtItsPublicHost() {
        ServerConfig shared = ServerConfig.builder(Path.of("data"))
                .bind("0.0.0.0")
                .publicHost("proxy.example.com")
                .build();
        ServerConfig own = ServerConfig.builder(Path.of("data"))
                .bind("0.0.0.0")
                .publicHost("proxy.example.com")
                .relayHost("relay-a.example.com")
                .build();

        assertThat(shared.farmHost()).isEqualTo("proxy.example.com");
        assertThat(own.farmHost()).isEqualTo("relay-a.example.com");
        assertThat(own.advertisedHost()).isEqualTo("proxy.example.com");
    }

    @Test
    void masksSecretsWhenPrinted() {
        ServerConfig config = ServerConfig.builder(Path.of("data"))
                .databaseUrl("postgresql://pp:db-s3cret@db/pp")
                .admin("admin@example.com", "admin-s3cret")
                .build();

        assertThat(config.toString())
                .doesNotContain("db-s3cret")
                .doesNotContain("admin-s3cret")
                .contains("admin@example.com");
    }

    @Test
    void namesTheBadValueAndTheExpectation() {
        assertThatThrownBy(() ->
                        ServerConfig.builder(Path.of("data")).apiPort(70000).build())
                .hasMessage("api-port: 70000 (expected: 0-65535)");
        assertThatThrownBy(() -> ServerConfig.builder(Path.of("data"))
                        .offlineAfter(Duration.ZERO)
                        .build())
                .hasMessage("offline-after: PT0S (expected: > 0)");
        assertThatThrownBy(() -> ServerConfig.builder(Path.of("data"))
                        .admin("admin@example.com", null)
                        .build())
                .hasMessageContaining("only one given");
    }

    @Test
    void refusesOpenVpnOnWithoutAPortItIsTold() {
        assertThatThrownBy(() -> ServerConfig.builder(Path.of("data"))
                        .openvpn(io.pocketproxy.relay.openvpn.OpenVpnMode.ON)
                        .openvpnPort(0)
                        .build())
                .hasMessage("openvpn-port: 0 (expected: 1-65535 with --openvpn on; OpenVPN needs a port it is told)");
    }

    @Test
    void namesTheOptionOfABadLinkWindow() {
        assertThatThrownBy(() -> ServerConfig.builder(Path.of("data"))
                        .linkWindows(1024 * 1024, 512 * 1024)
                        .build())
                .hasMessage("link-window: 524288 (expected: >= link-stream-window, 1048576)");
    }

    @Test
    void printsEverySettingOnceWithSecretsMasked() {
        ServerConfig config = ServerConfig.builder(Path.of("data"))
                .databaseUrl("postgresql://pp:db-s3cret@db/pp")
                .admin("admin@example.com", "admin-s3cret")
                .build();

        String printed = config.toString();

        for (var component : ServerConfig.class.getRecordComponents()) {
            assertThat(printed).containsPattern("(\\[|, )" + component.getName() + "=");
        }
        assertThat(printed).contains("adminPassword=****").doesNotContain("s3cret");
    }

    @Test
    void takesTheRelaysOwnDefaultsForTheRelaysSettings() {
        ServerConfig config = ServerConfig.builder(Path.of("data")).build();

        assertThat(config.relay()).isEqualTo(RelayConfig.builder().build());
    }

    @Test
    void advertisesThePublicHostWhenGiven() {
        ServerConfig config = ServerConfig.builder(Path.of("data"))
                .bind("0.0.0.0")
                .publicHost("proxy.example.com")
                .build();

        assertThat(config.advertisedHost()).isEqualTo("proxy.example.com");
    }
}
