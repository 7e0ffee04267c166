package io.pocketproxy.relay.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class ProxyCredentialsTest {

    @Test
    void readsBasicCredentialsWithAColonInThePassword() {
        String header = "Basic " + Base64.getEncoder().encodeToString("user:pa:ss".getBytes(StandardCharsets.UTF_8));

        assertThat(ProxyCredentials.parse(header)).contains(new ProxyCredentials("user", "pa:ss"));
    }

    @Test
    void acceptsTheSchemeInAnyCase() {
        String header = "basic " + Base64.getEncoder().encodeToString("user:secret".getBytes(StandardCharsets.UTF_8));

        assertThat(ProxyCredentials.parse(header)).isPresent();
    }

    @Test
    void refusesWhatIsNotBasicCredentials() {
        assertThat(ProxyCredentials.parse(null)).isEmpty();
        assertThat(ProxyCredentials.parse("Bearer abc")).isEmpty();
        assertThat(ProxyCredentials.parse("Basic !!!not-base64")).isEmpty();
        assertThat(ProxyCredentials.parse("Basic " + Base64.getEncoder().encodeToString("nocolon".getBytes())))
                .isEmpty();
        assertThat(ProxyCredentials.parse("Basic " + Base64.getEncoder().encodeToString(":nouser".getBytes())))
                .isEmpty();
    }

    @Test
    void neverPrintsThePassword() {
        assertThat(new ProxyCredentials("user", "secret").toString()).doesNotContain("secret");
    }
}
