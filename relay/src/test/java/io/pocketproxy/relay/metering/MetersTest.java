package io.pocketproxy.relay.metering;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.pocketproxy.relay.directory.ConnectionRecord;
import io.pocketproxy.relay.directory.ConnectionType;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class MetersTest {

    private static final UUID ID = UUID.randomUUID();

    private static ConnectionRecord record(String passwordHash, long limit) {
        return new ConnectionRecord(ID, "alice", passwordHash, ConnectionType.SOCKS5, true, limit, 0, 0, null);
    }

    @Test
    void aReadThatStartedBeforeTheLastAppliedOneIsDropped() {
        try (Meters meters = new Meters(deltas -> CompletableFuture.completedFuture(Map.of()), Duration.ofHours(1))) {
            Meter meter = meters.meterFor(record("old hash", 1000));
            long beforeTheChange = meters.readStarting(); // a periodic re-read, slow to answer
            long afterTheNotice = meters.readStarting();

            meters.apply(record("new hash", 2000), afterTheNotice);
            meters.flush(); // runs after everything applied before it, on the meters' thread
            EmbeddedChannel openedWithTheNewPassword = new EmbeddedChannel();
            meter.track(openedWithTheNewPassword);
            meters.apply(record("old hash", 1000), beforeTheChange);
            meters.flush();
            openedWithTheNewPassword.runPendingTasks();

            assertThat(meter.revocations()).isEqualTo(1);
            assertThat(meter.limit()).isEqualTo(2000);
            assertThat(openedWithTheNewPassword.isOpen()).isTrue();
        }
    }

    @Test
    void readsAppliedInTheOrderTheyStartedAllCount() {
        try (Meters meters = new Meters(deltas -> CompletableFuture.completedFuture(Map.of()), Duration.ofHours(1))) {
            Meter meter = meters.meterFor(record("old hash", 1000));
            long first = meters.readStarting();
            long second = meters.readStarting();

            meters.apply(record("old hash", 3000), first);
            meters.apply(record("new hash", 3000), second);
            meters.flush();

            assertThat(meter.limit()).isEqualTo(3000);
            assertThat(meter.revocations()).isEqualTo(1);
        }
    }
}
