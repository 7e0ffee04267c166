package io.pocketproxy.relay.metering;

import io.pocketproxy.relay.directory.ConnectionRecord;
import io.pocketproxy.relay.directory.ConnectionType;
import java.util.UUID;

/** Meters of a connection made up for the test. */
final class TestMeters {

    private TestMeters() {}

    static Meter meter(long limit, long used, long generation) {
        return new Meter(new ConnectionRecord(
                UUID.randomUUID(), "alice", "hash", ConnectionType.HTTP, true, limit, used, generation, null));
    }
}
