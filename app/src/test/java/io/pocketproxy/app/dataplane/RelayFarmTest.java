package io.pocketproxy.app.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketproxy.agent.Agent;
import io.pocketproxy.agent.Backoff;
import io.pocketproxy.link.HostAndPort;
import io.pocketproxy.link.PairingString;
import io.pocketproxy.relay.directory.ConnectionType;
import io.pocketproxy.server.connections.IssuedPassword;
import io.pocketproxy.server.devices.NewDevice;
import io.pocketproxy.testkit.NettyLeakDetection;
import io.pocketproxy.testkit.TakesEffect;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The relays of a farm know each other through the database: each has a row in {@code relays} while it runs, a
 * device's row names the relay that holds its link, and a link made on another relay replaces the first.
 */
class RelayFarmTest {

    @RegisterExtension
    @Order(1)
    static final NettyLeakDetection leaks = new NettyLeakDetection();

    @RegisterExtension
    @Order(2)
    static final RunningSystem system = new RunningSystem();

    @Test
    void eachRelayHasARowWithItsAddressesWhileItRuns() throws Exception {
        UUID secondId;
        try (RunningSystem.SecondRelay second = system.startSecondRelay()) {
            Instant started = Instant.now();
            UUID serversId = relayAt(system.linkPort()).orElseThrow();
            secondId = relayAt(second.linkPort()).orElseThrow();

            assertThat(serversId).isNotEqualTo(secondId);
            OffsetDateTime seen = system.server()
                    .database()
                    .jdbi()
                    .withHandle(handle -> handle.createQuery("SELECT last_seen_at FROM relays WHERE id = :id")
                            .bind("id", secondId)
                            .mapTo(OffsetDateTime.class)
                            .one());
            assertThat(seen.toInstant()).isBetween(started.minusSeconds(60), Instant.now());
        }

        assertThat(relayAt(system.linkPort()))
                .as("the server's relay, still running")
                .isPresent();
        assertThat(relayOf(secondId)).as("the stopped relay's row").isEmpty();
    }

    @Test
    void aRelayDeadForADayIsForgottenWhenAnotherStarts() throws Exception {
        UUID longDead = UUID.randomUUID();
        UUID recentlyDead = UUID.randomUUID();
        for (UUID id : List.of(longDead, recentlyDead)) {
            system.server()
                    .database()
                    .jdbi()
                    .useHandle(handle -> handle.createUpdate(
                                    "INSERT INTO relays (id, name, link_address, started_at, last_seen_at)"
                                            + " VALUES (:id, 'killed relay', '127.0.0.1:9', :seen, :seen)")
                            .bind("id", id)
                            .bind("seen", OffsetDateTime.now().minusHours(id.equals(longDead) ? 25 : 23))
                            .execute());
        }

        try (RunningSystem.SecondRelay second = system.startSecondRelay()) {
            assertThat(relayOf(longDead)).as("dead for 25 hours").isEmpty();
            assertThat(relayOf(recentlyDead)).as("dead for 23 hours").isPresent();
        }
    }

    @Test
    void aNewDevicesPairingStringNamesTheFarmsLiveRelaysTheServersFirst() throws Exception {
        HostAndPort serversRelay = new HostAndPort("127.0.0.1", system.linkPort());
        try (RunningSystem.SecondRelay second = system.startSecondRelay()) {
            NewDevice phone = system.server().devices().create(system.operator().id(), "farm-paired phone");

            assertThat(phone.pairing().relays())
                    .containsExactly(serversRelay, new HostAndPort("127.0.0.1", second.linkPort()));
        }

        NewDevice later = system.server().devices().create(system.operator().id(), "after the farm shrank");
        assertThat(later.pairing().relays()).containsExactly(serversRelay);
    }

    @Test
    void aDevicesRowNamesTheRelayHoldingItsLinkUntilTheLinkEnds() throws Exception {
        NewDevice phone = system.server().devices().create(system.operator().id(), "named phone");
        try (RunningSystem.SecondRelay second = system.startSecondRelay()) {
            UUID secondId = relayAt(second.linkPort()).orElseThrow();
            Agent agent = system.startAgent(at(phone, second.linkPort()), true);
            RunningSystem.awaitLinked(agent, 1);

            await().atMost(Duration.ofSeconds(10)).until(() -> holderOf(phone).equals(Optional.of(secondId)));

            agent.close();

            await().atMost(Duration.ofSeconds(10)).until(() -> holderOf(phone).isEmpty());
        }
    }

    @Test
    void aLinkOnAnotherRelayReplacesTheFirst() throws Exception {
        NewDevice phone = system.server().devices().create(system.operator().id(), "moving phone");
        IssuedPassword socks = system.server()
                .connections()
                .create(system.operator().id(), phone.device().id(), ConnectionType.SOCKS5, 0L);
        // The first agent comes back only long after the test: no tug of war between two agents of one device.
        Agent first = system.startAgent(
                phone.pairing(),
                true,
                config -> config.withBackoff(new Backoff(Duration.ofMinutes(5), Duration.ofMinutes(5))),
                io.pocketproxy.agent.health.HealthSource.unknown());
        RunningSystem.awaitLinked(first, 1);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> system.server()
                        .relay()
                        .links()
                        .find(phone.device().id())
                        .isPresent());

        try (RunningSystem.SecondRelay second = system.startSecondRelay()) {
            long linkedAt = System.nanoTime();
            Agent moved = system.startAgent(at(phone, second.linkPort()), true);
            RunningSystem.awaitLinked(moved, 1);

            TakesEffect.within(
                    Duration.ofSeconds(2),
                    linkedAt,
                    () -> system.server()
                            .relay()
                            .links()
                            .find(phone.device().id())
                            .isEmpty());
            assertThat(holderOf(phone)).isEqualTo(relayAt(second.linkPort()));
            assertThat(first.state()).isNotEqualTo(Agent.State.LINKED);
            try (Socket tunnel = system.socksTunnel(second.socksPort(), socks)) {
                ProxyPathsTest.assertEchoes(tunnel, 10_000);
            }
            moved.close();
        } finally {
            first.close();
        }
    }

    private static PairingString at(NewDevice device, int linkPort) {
        PairingString own = device.pairing();
        return new PairingString(
                List.of(new HostAndPort("127.0.0.1", linkPort)), own.deviceToken(), own.relayFingerprint());
    }

    private static Optional<UUID> relayAt(int linkPort) {
        return system.server()
                .database()
                .jdbi()
                .withHandle(handle -> handle.createQuery("SELECT id FROM relays WHERE link_address = :address")
                        .bind("address", "127.0.0.1:" + linkPort)
                        .mapTo(UUID.class)
                        .findOne());
    }

    private static Optional<UUID> relayOf(UUID id) {
        return system.server()
                .database()
                .jdbi()
                .withHandle(handle -> handle.createQuery("SELECT id FROM relays WHERE id = :id")
                        .bind("id", id)
                        .mapTo(UUID.class)
                        .findOne());
    }

    private static Optional<UUID> holderOf(NewDevice device) {
        return system.server()
                .database()
                .jdbi()
                .withHandle(handle -> handle.createQuery("SELECT relay_id FROM devices WHERE id = :id")
                        .bind("id", device.device().id())
                        .mapTo(UUID.class)
                        .findOne());
    }
}
