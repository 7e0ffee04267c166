package io.pocketproxy.server.connections;

import io.pocketproxy.relay.auth.PasswordHashing;
import io.pocketproxy.relay.directory.Change;
import io.pocketproxy.relay.directory.ConnectionType;
import io.pocketproxy.server.changes.ChangeAnnouncer;
import io.pocketproxy.server.db.SqlErrors;
import io.pocketproxy.server.errors.ConflictException;
import io.pocketproxy.server.errors.InvalidInputException;
import io.pocketproxy.server.errors.NotFoundException;
import io.pocketproxy.server.openvpn.OpenVpnProfiles;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/**
 * Customers' connections: created with a generated password shown once, changed, reset, deleted. Every
 * change the relays must apply is announced in the transaction that makes it.
 */
public final class ConnectionService {

    private static final int USERNAME_ATTEMPTS = 5;

    private final Jdbi jdbi;
    private final PasswordHashing hashing;
    private final ChangeAnnouncer announcer;
    private final OpenVpnProfiles openvpn;
    private final ConnectionRepository connections = new ConnectionRepository();
    private final CredentialGenerator credentials = new CredentialGenerator();

    public ConnectionService(Jdbi jdbi, PasswordHashing hashing, ChangeAnnouncer announcer, OpenVpnProfiles openvpn) {
        this.jdbi = jdbi;
        this.hashing = hashing;
        this.announcer = announcer;
        this.openvpn = openvpn;
    }

    public IssuedPassword create(UUID ownerId, UUID deviceId, ConnectionType type, Long bandwidthLimit) {
        if (deviceId == null) {
            throw InvalidInputException.unacceptable(
                    "invalid_field", "device_id: missing (expected: the id of one of your devices)");
        }
        if (type == null) {
            throw InvalidInputException.unacceptable(
                    "invalid_field", "type: missing (expected: HTTP, SOCKS5 or OPENVPN)");
        }
        long limit = bandwidthLimit == null ? 0 : requireValidLimit(bandwidthLimit);
        if (type == ConnectionType.OPENVPN) {
            openvpn.require(); // a connection nothing would serve is refused, with the reason
        }
        String password = credentials.newPassword();
        String hash = hashing.hash(password).join();
        for (int attempt = 1; ; attempt++) {
            String username = credentials.newUsername();
            try {
                ProxyConnection connection = jdbi.inTransaction(handle -> {
                    requireOwnDevice(handle, ownerId, deviceId);
                    UUID id = connections.insert(handle, ownerId, deviceId, type, username, hash, limit);
                    return connections.find(handle, ownerId, id).orElseThrow();
                });
                return new IssuedPassword(connection, password);
            } catch (UnableToExecuteStatementException e) {
                // 36^10 usernames make a collision rare, not impossible.
                if (!SqlErrors.violates(e, "proxy_connections_username_key") || attempt == USERNAME_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    public List<ProxyConnection> list(UUID ownerId, UUID deviceId) {
        return jdbi.withHandle(handle -> connections.list(handle, ownerId, deviceId));
    }

    public ProxyConnection get(UUID ownerId, UUID id) {
        return jdbi.withHandle(handle -> connections.find(handle, ownerId, id))
                .orElseThrow(ConnectionService::notFound);
    }

    public ProxyConnection update(UUID ownerId, UUID id, ConnectionChanges changes) {
        if (changes.isEmpty()) {
            throw InvalidInputException.malformed(
                    "invalid_field", "nothing to change (expected: bandwidth_limit, active or device_id)");
        }
        if (changes.bandwidthLimit() != null) {
            requireValidLimit(changes.bandwidthLimit());
        }
        return jdbi.inTransaction(handle -> {
            ProxyConnection current =
                    connections.findForUpdate(handle, ownerId, id).orElseThrow(ConnectionService::notFound);
            long limit = changes.bandwidthLimit() != null ? changes.bandwidthLimit() : current.bandwidthLimit();
            boolean active = changes.active() != null ? changes.active() : current.active();
            UUID deviceId = changes.deviceId() != null ? changes.deviceId() : current.deviceId();
            if (!deviceId.equals(current.deviceId())) {
                requireOwnDevice(handle, ownerId, deviceId);
            }
            connections.update(handle, ownerId, id, limit, active, deviceId);
            if (limit != current.bandwidthLimit()) {
                announcer.announce(handle, new Change(Change.Kind.CONNECTION_LIMIT, id));
            }
            if (active != current.active()) {
                announcer.announce(handle, new Change(Change.Kind.CONNECTION_ACTIVE, id));
            }
            if (!Objects.equals(deviceId, current.deviceId())) {
                announcer.announce(handle, new Change(Change.Kind.CONNECTION_DEVICE, id));
            }
            return connections.find(handle, ownerId, id).orElseThrow();
        });
    }

    public void delete(UUID ownerId, UUID id) {
        jdbi.useTransaction(handle -> {
            if (!connections.delete(handle, ownerId, id)) {
                throw notFound();
            }
            announcer.announce(handle, new Change(Change.Kind.CONNECTION_DELETED, id));
        });
    }

    /** A new password; the old one stops working as soon as relays hear of the change. */
    public IssuedPassword regeneratePassword(UUID ownerId, UUID id) {
        String password = credentials.newPassword();
        // Hashed before looking the row up: the answer for someone else's id takes as long as for one's own.
        String hash = hashing.hash(password).join();
        ProxyConnection connection = jdbi.inTransaction(handle -> {
            if (!connections.updatePasswordHash(handle, ownerId, id, hash)) {
                throw notFound();
            }
            announcer.announce(handle, new Change(Change.Kind.CONNECTION_PASSWORD, id));
            return connections.find(handle, ownerId, id).orElseThrow();
        });
        return new IssuedPassword(connection, password);
    }

    /**
     * The OpenVPN profile of an OPENVPN connection, without credentials (the customer's client asks for them).
     * Refused for another type, and when this server runs without OpenVPN.
     */
    public OpenVpnProfiles.Download openVpnProfile(UUID ownerId, UUID id) {
        ProxyConnection connection = get(ownerId, id);
        if (connection.type() != ConnectionType.OPENVPN) {
            throw new ConflictException(
                    "not_openvpn",
                    "connection " + id + " is " + connection.type()
                            + " (expected: an OPENVPN connection; only those have a profile)");
        }
        return openvpn.withoutCredentials(connection.username());
    }

    /** The profile with the credentials inline, for the answer that shows a new password once. */
    public java.util.Optional<String> openVpnProfile(IssuedPassword issued) {
        if (issued.connection().type() != ConnectionType.OPENVPN) {
            return java.util.Optional.empty();
        }
        return openvpn.withCredentials(issued.connection().username(), issued.password());
    }

    public ProxyConnection resetUsage(UUID ownerId, UUID id) {
        return jdbi.inTransaction(handle -> {
            if (!connections.resetUsage(handle, ownerId, id)) {
                throw notFound();
            }
            announcer.announce(handle, new Change(Change.Kind.CONNECTION_RESET, id));
            return connections.find(handle, ownerId, id).orElseThrow();
        });
    }

    private void requireOwnDevice(Handle handle, UUID ownerId, UUID deviceId) {
        if (!connections.deviceExists(handle, ownerId, deviceId)) {
            throw InvalidInputException.unacceptable(
                    "unknown_device", "device_id: no device of yours has id " + deviceId);
        }
    }

    private static long requireValidLimit(long limit) {
        if (limit < 0) {
            throw InvalidInputException.unacceptable(
                    "invalid_field",
                    "bandwidth_limit: " + limit + " (expected: 0 for unlimited, or a number of bytes)");
        }
        return limit;
    }

    private static NotFoundException notFound() {
        return new NotFoundException("connection");
    }
}
