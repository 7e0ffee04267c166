package io.pocketproxy.relay.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class ChangeTest {

    @ParameterizedTest
    @EnumSource(Change.Kind.class)
    void roundTripsThroughItsNotifyPayload(Change.Kind kind) {
        Change change = new Change(kind, UUID.randomUUID());

        assertThat(Change.parse(change.payload())).isEqualTo(change);
    }

    @Test
    void readsAsKindColonId() {
        UUID id = UUID.fromString("7b7c3a52-1f8e-4d0b-9d43-0a3c1f9e2b11");

        assertThat(new Change(Change.Kind.CONNECTION_RESET, id).payload())
                .isEqualTo("connection.reset:7b7c3a52-1f8e-4d0b-9d43-0a3c1f9e2b11");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"", "connection.reset", "teleported:7b7c3a52-1f8e-4d0b-9d43-0a3c1f9e2b11", "device.deleted:x"})
    void refusesMalformedPayloads(String payload) {
        assertThatThrownBy(() -> Change.parse(payload)).isInstanceOf(IllegalArgumentException.class);
    }
}
