package io.pocketproxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketproxy.testkit.ApiClient;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code /metrics} answers only whom it should: the holder of the metrics token, or else this host alone. */
class MetricsAccessTest {

    private static final String TOKEN = "scrape-me-9f2c1e";

    @Nested
    class WithAToken {

        @RegisterExtension
        static final RunningServer server = new RunningServer(builder -> builder.metricsToken(TOKEN));

        @Test
        void answersTheBearerOfTheToken() {
            ApiClient.Response metrics = server.anonymous().withToken(TOKEN).get("/metrics");

            assertThat(metrics.status()).isEqualTo(200);
            assertThat(metrics.body()).contains("jvm_memory_used_bytes");
        }

        @Test
        void refusesARequestWithoutTheTokenWith401EvenFromThisHost() {
            ApiClient.Response metrics = server.anonymous().get("/metrics");

            assertThat(metrics.status()).isEqualTo(401);
            assertThat(metrics.json().get("code").asText()).isEqualTo("unauthenticated");
            assertThat(metrics.body()).doesNotContain("jvm_memory_used_bytes");
        }

        @Test
        void refusesAWrongTokenWith401() {
            ApiClient.Response metrics =
                    server.anonymous().withToken(TOKEN + "x").get("/metrics");

            assertThat(metrics.status()).isEqualTo(401);
        }
    }

    @Nested
    class WithoutAToken {

        @RegisterExtension
        static final RunningServer server = new RunningServer(builder -> builder.bind("0.0.0.0"));

        @Test
        void answersThisHostOverLoopback() {
            assertThat(server.anonymous().get("/metrics").status()).isEqualTo(200);
        }

        @Test
        void refusesAClientThatIsNotOnLoopbackWith403() {
            Optional<InetAddress> address = nonLoopbackAddress();
            Assumptions.assumeTrue(address.isPresent(), "this host has no IPv4 address besides loopback");
            ApiClient remote = ApiClient.anonymous("http://" + address.get().getHostAddress() + ":"
                    + server.server().apiPort());

            ApiClient.Response metrics = remote.get("/metrics");

            assertThat(metrics.status()).isEqualTo(403);
            assertThat(metrics.json().get("code").asText()).isEqualTo("forbidden");
            assertThat(remote.get("/healthz").status()).isEqualTo(200); // the same client, on another route
        }
    }

    /** One of this host's own IPv4 addresses that is not loopback: a request to it comes from it, not from 127/8. */
    private static Optional<InetAddress> nonLoopbackAddress() {
        try {
            return NetworkInterface.networkInterfaces()
                    .filter(network -> {
                        try {
                            return network.isUp() && !network.isLoopback();
                        } catch (SocketException e) {
                            return false;
                        }
                    })
                    .flatMap(NetworkInterface::inetAddresses)
                    .filter(address -> address instanceof java.net.Inet4Address && !address.isLoopbackAddress())
                    .findFirst();
        } catch (SocketException e) {
            return Optional.empty();
        }
    }
}
