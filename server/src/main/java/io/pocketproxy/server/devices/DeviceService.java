package io.pocketproxy.server.devices;

import io.pocketproxy.link.HostAndPort;
import io.pocketproxy.link.PairingString;
import io.pocketproxy.link.TokenDigest;
import io.pocketproxy.relay.directory.Change;
import io.pocketproxy.server.changes.ChangeAnnouncer;
import io.pocketproxy.server.db.SqlErrors;
import io.pocketproxy.server.errors.ConflictException;
import io.pocketproxy.server.errors.InvalidInputException;
import io.pocketproxy.server.errors.NotFoundException;
import io.pocketproxy.server.farm.RelayMembership;
import io.pocketproxy.server.secrets.Secrets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/** An operator's devices: creating them with a shown-once token, reading, deleting. */
public final class DeviceService {

    /** What every device token starts with, so a token pasted in the wrong place is recognised. */
    public static final String TOKEN_PREFIX = "ppd_";

    static final int STATUS_LOG_LIMIT = 200;

    private final Jdbi jdbi;
    private final ChangeAnnouncer announcer;
    private final RelayAddress relay;
    private final DeviceRepository devices = new DeviceRepository();

    public DeviceService(Jdbi jdbi, ChangeAnnouncer announcer, RelayAddress relay) {
        this.jdbi = jdbi;
        this.announcer = announcer;
        this.relay = relay;
    }

    public NewDevice create(UUID ownerId, String name) {
        String trimmed = name == null ? "" : name.strip();
        if (trimmed.isEmpty() || trimmed.length() > 100) {
            throw InvalidInputException.unacceptable("invalid_name", "name: must be 1 to 100 characters");
        }
        String token = Secrets.newToken(TOKEN_PREFIX);
        Device device = jdbi.inTransaction(handle -> devices.insert(handle, ownerId, trimmed, TokenDigest.of(token)));
        return new NewDevice(device, token, pairing(token));
    }

    /**
     * A new token and pairing string for an existing device; the old token stops working. For re-pairing
     * a device (and for the demo, which cannot read back the token it created last time).
     */
    public NewDevice repair(UUID ownerId, UUID id) {
        String token = Secrets.newToken(TOKEN_PREFIX);
        Device device = jdbi.inTransaction(handle -> {
            Device found = devices.find(handle, ownerId, id).orElseThrow(() -> new NotFoundException("device"));
            devices.updateTokenDigest(handle, ownerId, id, TokenDigest.of(token));
            // The link authenticated with the old token must go: announce it like a deletion of that link.
            announcer.announce(handle, new Change(Change.Kind.DEVICE_DELETED, id));
            return found;
        });
        return new NewDevice(device, token, pairing(token));
    }

    /**
     * This server's relay first, then the farm's other live relays that show the same certificate: an agent moves
     * to the next when its relay dies.
     */
    private PairingString pairing(String token) {
        List<HostAndPort> relays = new ArrayList<>();
        relays.add(new HostAndPort(relay.host(), relay.linkPort()));
        for (HostAndPort other :
                jdbi.withHandle(handle -> RelayMembership.liveLinkAddresses(handle, relay.certificateFingerprint()))) {
            if (!relays.contains(other)) {
                relays.add(other);
            }
        }
        return new PairingString(relays, token, relay.certificateFingerprint());
    }

    public List<Device> list(UUID ownerId) {
        return jdbi.withHandle(handle -> devices.list(handle, ownerId));
    }

    public Device get(UUID ownerId, UUID id) {
        return jdbi.withHandle(handle -> devices.find(handle, ownerId, id))
                .orElseThrow(() -> new NotFoundException("device"));
    }

    /**
     * Deletes a device that no connection uses. Connections are customers' paid access: they must be moved
     * to another device or deleted on purpose first, not vanish with the device.
     */
    public void delete(UUID ownerId, UUID id) {
        try {
            jdbi.useTransaction(handle -> {
                int connections = devices.countConnections(handle, ownerId, id);
                if (connections > 0) {
                    throw new ConflictException(
                            "device_in_use",
                            "device is used by " + connections + " connection" + (connections == 1 ? "" : "s")
                                    + "; move them to another device or delete them first");
                }
                if (!devices.delete(handle, ownerId, id)) {
                    throw new NotFoundException("device");
                }
                announcer.announce(handle, new Change(Change.Kind.DEVICE_DELETED, id));
            });
        } catch (UnableToExecuteStatementException e) {
            if (SqlErrors.isForeignKeyViolation(e)) {
                // A connection was added between our count and our delete.
                throw new ConflictException("device_in_use", "device is used by a connection; move or delete it first");
            }
            throw e;
        }
    }

    public List<StatusChange> statusLog(UUID ownerId, UUID id) {
        return jdbi.withHandle(handle -> {
            if (devices.find(handle, ownerId, id).isEmpty()) {
                throw new NotFoundException("device");
            }
            return devices.statusLog(handle, ownerId, id, STATUS_LOG_LIMIT);
        });
    }
}
