package io.pocketproxy.server.farm;

import io.pocketproxy.link.AggregatedWarning;
import io.pocketproxy.link.HostAndPort;
import io.pocketproxy.link.Threads;
import io.pocketproxy.server.openvpn.OpenVpnRemote;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This relay's row in {@code relays}: made at start, beaten every {@link #BEAT} while it runs, removed at a clean stop
 * (its devices' {@code relay_id} cleared with it). A relay that died without stopping keeps its row, whose beat goes
 * stale: the farm knows it by {@link #STALE_AFTER}.
 */
public final class RelayMembership implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RelayMembership.class);

    /** How often a relay says it is alive. */
    public static final Duration BEAT = Duration.ofSeconds(10);

    /** A relay whose last beat is older than this is taken for dead. */
    public static final Duration STALE_AFTER = BEAT.multipliedBy(3);

    /**
     * A dead relay's row is deleted once its beat is this old (by any relay, at its start and with its beats): long
     * enough for an operator to see which relay died and when, short enough that the table holds no history.
     */
    public static final Duration FORGOTTEN_AFTER = Duration.ofDays(1);

    private final AggregatedWarning beatFailed =
            new AggregatedWarning(log, "cannot record that this relay is alive; trying again", Duration.ofMinutes(1));

    private final Jdbi jdbi;
    private final UUID id;
    private final String name;
    private final ScheduledExecutorService beats;
    private volatile String linkAddress;
    private volatile String publicAddress;
    private volatile String certificateFingerprint;
    private volatile OpenVpnEndpoint openvpn;

    /** This relay's OpenVPN endpoint and the keys it serves, written together. */
    private record OpenVpnEndpoint(OpenVpnRemote remote, String profileFingerprint) {}

    private RelayMembership(Jdbi jdbi, UUID id, String name) {
        this.jdbi = jdbi;
        this.id = id;
        this.name = name;
        this.beats = Executors.newSingleThreadScheduledExecutor(Threads.daemon("relay-beat"));
    }

    /** Adds this relay to the farm under {@code name}; its addresses follow once it listens ({@link #listening}). */
    public static RelayMembership join(Jdbi jdbi, String name) {
        RelayMembership membership = new RelayMembership(jdbi, UUID.randomUUID(), name);
        membership.write();
        membership.forgetLongDead();
        long beat = BEAT.toMillis();
        membership.beats.scheduleWithFixedDelay(membership::beat, beat, beat, TimeUnit.MILLISECONDS);
        log.info("relay {} ({}) joined the farm", membership.id, name);
        return membership;
    }

    public UUID id() {
        return id;
    }

    /**
     * Records where devices and other relays reach this one ({@code host:port} of its link port), where customers
     * do, and the certificate its link port shows.
     */
    public void listening(String linkAddress, String publicAddress, String certificateFingerprint) {
        this.linkAddress = linkAddress;
        this.publicAddress = publicAddress;
        this.certificateFingerprint = certificateFingerprint;
        write();
        forgetEarlierLives();
    }

    /**
     * Records that this relay runs OpenVPN at {@code remote} with keys of {@code profileFingerprint}
     * ({@link io.pocketproxy.relay.openvpn.OpenVpnPki#profileFingerprint()}): profiles of the same keys list it.
     */
    public void servingOpenVpn(OpenVpnRemote remote, String profileFingerprint) {
        this.openvpn = new OpenVpnEndpoint(remote, profileFingerprint);
        write();
    }

    /**
     * The OpenVPN endpoints of the farm's live relays that hold the keys of {@code profileFingerprint}, oldest first:
     * the {@code remote} lines of a profile made with those keys. Only relays that show {@code certificateFingerprint}
     * on their link port count: a node the others do not trust could not forward a customer to a device linked
     * elsewhere.
     */
    public static List<OpenVpnRemote> liveOpenVpnRemotes(
            Handle handle, String profileFingerprint, String certificateFingerprint) {
        return handle
                .createQuery("SELECT openvpn_address, openvpn_proto FROM relays"
                        + " WHERE openvpn_address IS NOT NULL AND openvpn_profile_fingerprint = :fingerprint"
                        + " AND certificate_fingerprint = :certificate"
                        + " AND last_seen_at > now() - make_interval(secs => :stale)"
                        + " ORDER BY started_at, id")
                .bind("fingerprint", profileFingerprint)
                .bind("certificate", certificateFingerprint)
                .bind("stale", (double) STALE_AFTER.toSeconds())
                .map((row, context) -> OpenVpnRemote.fromRow(row.getString(1), row.getString(2)))
                .stream()
                .flatMap(Optional::stream)
                .toList();
    }

    /**
     * Deletes other rows at this relay's link address: earlier lives of this relay (killed, then started again), since
     * two processes cannot listen on one address. Their devices' {@code relay_id} clears with them, so a device that
     * links again here is not kept waiting for a hand-over from a relay that is gone.
     */
    private void forgetEarlierLives() {
        int forgotten = jdbi.withHandle(
                handle -> handle.createUpdate("DELETE FROM relays WHERE link_address = :link AND id <> :id")
                        .bind("link", linkAddress)
                        .bind("id", id)
                        .execute());
        if (forgotten > 0) {
            log.info("forgot {} earlier life(s) of this relay at {}", forgotten, linkAddress);
        }
    }

    /**
     * The link addresses of the farm's live relays that show {@code certificateFingerprint}, oldest first: those a
     * pairing string may name beside its own relay.
     */
    public static List<HostAndPort> liveLinkAddresses(Handle handle, String certificateFingerprint) {
        return handle
                .createQuery("SELECT link_address FROM relays"
                        + " WHERE link_address IS NOT NULL AND certificate_fingerprint = :fingerprint"
                        + " AND last_seen_at > now() - make_interval(secs => :stale)"
                        + " ORDER BY started_at, id")
                .bind("fingerprint", certificateFingerprint)
                .bind("stale", (double) STALE_AFTER.toSeconds())
                .mapTo(String.class)
                .stream()
                .flatMap(address -> HostAndPort.tryParse(address).stream())
                .toList();
    }

    private void beat() {
        try {
            write();
            forgetLongDead();
        } catch (RuntimeException e) {
            beatFailed.warn(e);
        }
    }

    /** Deletes the rows of relays dead for {@link #FORGOTTEN_AFTER}; their devices' {@code relay_id} go with them. */
    private void forgetLongDead() {
        int forgotten = jdbi.withHandle(handle -> handle.createUpdate(
                        "DELETE FROM relays WHERE last_seen_at < now() - make_interval(secs => :forgotten)")
                .bind("forgotten", (double) FORGOTTEN_AFTER.toSeconds())
                .execute());
        if (forgotten > 0) {
            log.info("forgot {} relay(s) not seen for {}", forgotten, FORGOTTEN_AFTER);
        }
    }

    /**
     * Inserts or refreshes the row: also after the row was removed while this relay ran (a database restored). The
     * database's clock, not this relay's, stamps it: liveness is judged against the database's {@code now()}, and
     * relays on machines whose clocks differ must not look dead (or alive) for it.
     */
    private synchronized void write() {
        // Synchronized: a beat that read the fields before a change must not write them after it.
        OpenVpnEndpoint openvpn = this.openvpn;
        jdbi.useHandle(handle -> handle.createUpdate(
                        "INSERT INTO relays (id, name, link_address, public_address, certificate_fingerprint,"
                                + " openvpn_address, openvpn_proto, openvpn_profile_fingerprint,"
                                + " started_at, last_seen_at)"
                                + " VALUES (:id, :name, :link, :public, :fingerprint,"
                                + " :openvpn, :openvpnProto, :openvpnFingerprint, now(), now())"
                                + " ON CONFLICT (id) DO UPDATE SET link_address = EXCLUDED.link_address,"
                                + " public_address = EXCLUDED.public_address,"
                                + " certificate_fingerprint = EXCLUDED.certificate_fingerprint,"
                                + " openvpn_address = EXCLUDED.openvpn_address,"
                                + " openvpn_proto = EXCLUDED.openvpn_proto,"
                                + " openvpn_profile_fingerprint = EXCLUDED.openvpn_profile_fingerprint,"
                                + " last_seen_at = EXCLUDED.last_seen_at")
                .bind("id", id)
                .bind("name", name)
                .bind("link", linkAddress)
                .bind("public", publicAddress)
                .bind("fingerprint", certificateFingerprint)
                .bind("openvpn", openvpn == null ? null : openvpn.remote().address())
                .bind(
                        "openvpnProto",
                        openvpn == null ? null : openvpn.remote().protocol().toString())
                .bind("openvpnFingerprint", openvpn == null ? null : openvpn.profileFingerprint())
                .execute());
    }

    /** Leaves the farm: the row goes, and with it the record of every link this relay held. */
    @Override
    public void close() {
        beats.shutdownNow();
        try {
            jdbi.useHandle(handle -> handle.createUpdate("DELETE FROM relays WHERE id = :id")
                    .bind("id", id)
                    .execute());
            log.info("relay {} left the farm", id);
        } catch (RuntimeException e) {
            log.warn("cannot remove relay {} from the farm; its row goes stale: {}", id, e.getMessage());
        }
    }
}
