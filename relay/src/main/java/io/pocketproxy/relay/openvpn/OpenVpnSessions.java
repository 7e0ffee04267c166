package io.pocketproxy.relay.openvpn;

import io.pocketproxy.relay.auth.AuthOutcome;
import io.pocketproxy.relay.auth.CustomerAuthenticator;
import io.pocketproxy.relay.auth.RetryAfter;
import io.pocketproxy.relay.directory.ConnectionRecord;
import io.pocketproxy.relay.directory.ConnectionType;
import io.pocketproxy.relay.metering.Meters;
import io.pocketproxy.relay.openvpn.flows.FlowTable;
import io.pocketproxy.relay.openvpn.flows.VpnSession;
import io.pocketproxy.relay.openvpn.management.ClientRequest;
import io.pocketproxy.relay.openvpn.management.ManagementInterface;
import io.pocketproxy.relay.openvpn.management.ManagementListener;
import io.pocketproxy.relay.tunnel.Refusal;
import io.pocketproxy.relay.tunnel.Tunnels;
import java.net.InetAddress;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sessions of one OpenVPN run, from sign-in to the end: every {@code >CLIENT:CONNECT} and {@code REAUTH} is
 * answered with the relay's own customer authentication (the same verified cache, bcrypt pool and throttle as
 * SOCKS5), a connection that may not be used now is refused with the reason its customer's client prints
 * ({@code AUTH_FAILED,bandwidth limit reached}), and an established client's pool address goes into the
 * {@link FlowTable}.
 *
 * <p>Each session is tracked by its connection's {@link io.pocketproxy.relay.metering.Meter}: whatever closes the
 * connection's tunnels (the limit reached, the connection disabled, deleted or given a new password) also
 * kills the session ({@code client-kill}), and the client's attempt to come back is refused with the reason.
 */
final class OpenVpnSessions implements ManagementListener {

    private static final Logger log = LoggerFactory.getLogger(OpenVpnSessions.class);

    /**
     * A client that signed in but whose session OpenVPN has not reported up (or gone) after this long gave up
     * half-way (its TLS session timed out): it is forgotten.
     */
    private static final long ADMISSION_TTL_NANOS = java.util.concurrent.TimeUnit.MINUTES.toNanos(2);

    /** Between a granted sign-in and OpenVPN's word that the client is up. */
    private final Map<Long, Admission> admitted = new ConcurrentHashMap<>();

    private final Map<Long, Established> established = new ConcurrentHashMap<>();
    private final CustomerAuthenticator authenticator;
    private final Tunnels tunnels;
    private final Meters meters;
    private final FlowTable flows;
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private volatile ManagementInterface management;

    private record Established(VpnSession session, AutoCloseable tracking) {}

    private record Admission(ConnectionRecord connection, long at) {}

    OpenVpnSessions(CustomerAuthenticator authenticator, Tunnels tunnels, Meters meters, FlowTable flows) {
        this.authenticator = authenticator;
        this.tunnels = tunnels;
        this.meters = meters;
        this.flows = flows;
    }

    void attach(ManagementInterface management) {
        this.management = management;
    }

    /** Completes once OpenVPN is connected and up. */
    CompletableFuture<Void> whenUp() {
        return ready;
    }

    /** Completes when the management connection ends. */
    CompletableFuture<Void> whenClosed() {
        return closed;
    }

    int size() {
        return established.size();
    }

    @Override
    public void up() {
        ready.complete(null);
    }

    @Override
    public void clientRequest(ClientRequest request) {
        authenticator
                .authenticate(request.username(), request.password(), request.clientAddress())
                .thenAccept(outcome -> decide(request, outcome))
                .exceptionally(failure -> {
                    // Never leave a sign-in unanswered: OpenVPN would hold the client until its hand window ends.
                    log.error("OpenVPN sign-in of {} could not be decided", request, failure);
                    refuse(
                            management,
                            request,
                            "TEMP[backoff 10]: the sign-in could not be checked; try again shortly");
                    return null;
                });
    }

    private void decide(ClientRequest request, AuthOutcome<ConnectionRecord> outcome) {
        ManagementInterface commands = management;
        switch (outcome) {
            case AuthOutcome.Accepted<ConnectionRecord> accepted -> {
                ConnectionRecord connection = accepted.account();
                Optional<Refusal> refusal = tunnels.check(connection, ConnectionType.OPENVPN);
                if (refusal.isPresent()) {
                    refuse(commands, request, reasonOf(refusal.get()));
                    return;
                }
                if (request.kind() == ClientRequest.Kind.CONNECT) {
                    long now = System.nanoTime();
                    admitted.values().removeIf(stale -> now - stale.at() > ADMISSION_TTL_NANOS);
                    admitted.put(request.clientId(), new Admission(connection, now)); // until OpenVPN says it is up
                }
                commands.authorize(request.clientId(), request.keyId());
                log.debug("OpenVPN {} accepted", request);
            }
            case AuthOutcome.Rejected<ConnectionRecord> rejected ->
                refuse(commands, request, "wrong username or password");
            // TEMP: the client keeps trying, after the back-off, instead of giving up as after a refusal.
            case AuthOutcome.Throttled<ConnectionRecord> throttled -> {
                long seconds = RetryAfter.seconds(throttled.retryAfter());
                refuse(
                        commands,
                        request,
                        "TEMP[backoff " + seconds + "]: too many failed sign-ins; try again in " + seconds + " s");
            }
            case AuthOutcome.Busy<ConnectionRecord> busy -> {
                long seconds = RetryAfter.seconds(busy.retryAfter());
                refuse(
                        commands,
                        request,
                        "TEMP[backoff " + seconds + "]: the relay is busy checking sign-ins; try again in " + seconds
                                + " s");
            }
            case AuthOutcome.Unavailable<ConnectionRecord> unavailable ->
                refuse(commands, request, "TEMP[backoff 10]: credentials cannot be checked now; try again shortly");
        }
    }

    private void refuse(ManagementInterface commands, ClientRequest request, String reason) {
        // Wrong passwords and throttling are what scanners cause: not worth an operator's attention one by one.
        if (reason.startsWith("wrong") || reason.startsWith("TEMP")) {
            log.debug("OpenVPN sign-in refused: {}: {}", request, reason);
        } else {
            log.info("OpenVPN sign-in refused: {}: {}", request, reason);
        }
        commands.deny(request.clientId(), request.keyId(), reason, reason);
        if (request.kind() == ClientRequest.Kind.REAUTH) {
            // A refused renegotiation would leave the old key alive for a while; the session must end now.
            commands.kill(request.clientId());
        }
    }

    /** What the customer's client prints after {@code AUTH_FAILED,}. */
    static String reasonOf(Refusal refusal) {
        return switch (refusal.reason()) {
            case BANDWIDTH_LIMIT_REACHED -> "bandwidth limit reached";
            case CONNECTION_DISABLED -> "connection disabled";
            case CONNECTION_TYPE_MISMATCH -> "not an OpenVPN connection";
            default -> "TEMP[backoff 10]: " + refusal.proxyStatusType().replace('_', ' ');
        };
    }

    @Override
    public void clientEstablished(long clientId, InetAddress poolAddress) {
        Admission admission = admitted.remove(clientId);
        ManagementInterface commands = management;
        if (admission == null) {
            Established existing = established.get(clientId);
            if (existing == null) {
                log.warn("OpenVPN client {} is up without our consent; ending it", clientId);
                commands.kill(clientId);
            }
            return;
        }
        ConnectionRecord connection = admission.connection();
        VpnSession session = new VpnSession(clientId, connection, poolAddress, () -> commands.kill(clientId));
        AutoCloseable tracking = meters.meterFor(connection).trackSession(session::end);
        established.put(clientId, new Established(session, tracking));
        flows.add(session);
        log.info("OpenVPN client {} of {} is up at {}", clientId, connection.username(), poolAddress.getHostAddress());
        // The limit may have been reached, or the connection disabled, since the sign-in was granted.
        if (tunnels.check(connection, ConnectionType.OPENVPN).isPresent()) {
            session.end();
        }
    }

    @Override
    public void clientDisconnected(long clientId) {
        admitted.remove(clientId);
        Established gone = established.remove(clientId);
        if (gone != null) {
            forget(gone);
            log.info(
                    "OpenVPN client {} of {} is gone",
                    clientId,
                    gone.session().connection().username());
        }
    }

    @Override
    public void closed() {
        admitted.clear();
        established.values().forEach(this::forget);
        established.clear();
        closed.complete(null);
    }

    private void forget(Established gone) {
        flows.remove(gone.session());
        gone.session().closeFlows();
        try {
            gone.tracking().close();
        } catch (Exception e) {
            throw new IllegalStateException(e); // removing from a set does not fail
        }
    }
}
