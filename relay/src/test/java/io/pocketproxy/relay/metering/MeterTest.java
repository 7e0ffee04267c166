package io.pocketproxy.relay.metering;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.pocketproxy.relay.directory.ConnectionRecord;
import io.pocketproxy.relay.directory.ConnectionType;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class MeterTest {

    @Test
    void grantsEverythingWhenUnlimited() {
        Meter meter = TestMeters.meter(0, 0, 0);

        assertThat(meter.grant(1_000_000)).isEqualTo(1_000_000);
        assertThat(meter.used()).isEqualTo(1_000_000);
        assertThat(meter.exhausted()).isFalse();
    }

    @Test
    void grantsUpToTheRemainderAndNothingAfter() {
        Meter meter = TestMeters.meter(1000, 900, 0);

        assertThat(meter.grant(60)).isEqualTo(60);
        assertThat(meter.grant(60)).isEqualTo(40);
        assertThat(meter.grant(60)).isZero();
        assertThat(meter.used()).isEqualTo(1000);
        assertThat(meter.exhausted()).isTrue();
    }

    @Test
    void neverOvershootsUnderConcurrentGrants() throws InterruptedException {
        Meter meter = TestMeters.meter(1_000_003, 0, 0);
        AtomicLong granted = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        for (int thread = 0; thread < 8; thread++) {
            pool.execute(() -> {
                for (int i = 0; i < 100_000; i++) {
                    granted.addAndGet(meter.grant(7));
                }
            });
        }
        pool.shutdown();
        assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

        assertThat(granted.get()).isEqualTo(1_000_003);
        assertThat(meter.used()).isEqualTo(1_000_003);
    }

    @Test
    void aResetStartsCountingOverInTheNewGeneration() {
        Meter meter = TestMeters.meter(100, 100, 3);

        meter.reset(4);

        assertThat(meter.exhausted()).isFalse();
        assertThat(meter.generation()).isEqualTo(4);
        assertThat(meter.grant(30)).isEqualTo(30);
        assertThat(meter.unreported()).isEqualTo(30);
    }

    @Test
    void foldsInWhatOtherRelaysReported() {
        Meter meter = TestMeters.meter(1000, 100, 0);
        meter.grant(50); // this relay: 150 in all

        meter.reported(50, 400); // the database says 400: other relays added 250

        assertThat(meter.used()).isEqualTo(400);
        assertThat(meter.unreported()).isZero();
        assertThat(meter.grant(1000)).isEqualTo(600);
    }

    @Test
    void closesItsTunnelsWhenALoweredLimitIsAlreadyUsedUp() {
        Meter meter = TestMeters.meter(1000, 500, 0);
        EmbeddedChannel customer = new EmbeddedChannel();
        meter.track(customer);

        meter.setLimit(400);
        customer.runPendingTasks();

        assertThat(customer.isOpen()).isFalse();
        assertThat(meter.openTunnels()).isZero();
    }

    @Test
    void aNewPasswordClosesItsTunnelsAndCountsOneRevocation() {
        ConnectionRecord before =
                new ConnectionRecord(UUID.randomUUID(), "alice", "old hash", ConnectionType.HTTP, true, 0, 0, 0, null);
        Meter meter = new Meter(before);
        EmbeddedChannel customer = new EmbeddedChannel();
        meter.track(customer);

        meter.setAccess(before); // a periodic re-read that changed nothing
        assertThat(meter.revocations()).isZero();
        assertThat(customer.isOpen()).isTrue();

        meter.setAccess(
                new ConnectionRecord(before.id(), "alice", "new hash", ConnectionType.HTTP, true, 0, 0, 0, null));
        customer.runPendingTasks();

        assertThat(meter.revocations()).isEqualTo(1);
        assertThat(customer.isOpen()).isFalse();
    }
}
