package io.pocketproxy.relay.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketproxy.relay.directory.ConnectionRecord;
import io.pocketproxy.relay.directory.ConnectionType;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class VerifiedCredentialsTest {

    private final VerifiedCredentials verified = new VerifiedCredentials(Duration.ofMinutes(10));
    private final ConnectionRecord record = record("$2a$12$aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");

    @Test
    void remembersOnlyThePasswordThatWasVerified() {
        verified.remember(record, "right");

        assertThat(verified.matches(record, "right")).isTrue();
        assertThat(verified.matches(record, "wrong")).isFalse();
        assertThat(verified.matches(record, "righ")).isFalse();
    }

    @Test
    void forgetsWhenTheStoredHashChanges() {
        verified.remember(record, "right");

        ConnectionRecord regenerated = record("$2a$12$bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");

        assertThat(verified.matches(regenerated, "right")).isFalse();
    }

    @Test
    void doesNotConfuseUsernameAndPasswordBoundaries() {
        ConnectionRecord ab = new ConnectionRecord(
                UUID.randomUUID(), "ab", "h", ConnectionType.SOCKS5, true, 0, 0, 0, UUID.randomUUID());
        ConnectionRecord a = new ConnectionRecord(
                UUID.randomUUID(), "a", "h", ConnectionType.SOCKS5, true, 0, 0, 0, UUID.randomUUID());
        verified.remember(ab, "c");

        assertThat(verified.matches(a, "bc")).isFalse();
    }

    @Test
    void rememberedNothingBeforeTheFirstSuccess() {
        assertThat(verified.matches(record, "right")).isFalse();
    }

    private static ConnectionRecord record(String hash) {
        return new ConnectionRecord(
                UUID.fromString("7b7c3a52-1f8e-4d0b-9d43-0a3c1f9e2b11"),
                "pp123",
                hash,
                ConnectionType.SOCKS5,
                true,
                0,
                0,
                0,
                UUID.randomUUID());
    }
}
