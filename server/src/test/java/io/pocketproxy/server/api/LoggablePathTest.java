package io.pocketproxy.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LoggablePathTest {

    @Test
    void keepsARotationLinksSecretOutOfTheIncidentLog() {
        assertThat(ApiErrors.loggable("/rotate/ppr_s3cretS3cretS3cret")).isEqualTo("/rotate/…");
        assertThat(ApiErrors.loggable("/api/devices/42/rotate-ip")).isEqualTo("/api/devices/42/rotate-ip");
    }
}
