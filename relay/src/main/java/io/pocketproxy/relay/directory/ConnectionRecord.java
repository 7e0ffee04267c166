package io.pocketproxy.relay.directory;

import java.util.UUID;

/**
 * What the relay needs to know about a customer connection: who it is, the hash to check its password
 * against, the protocol it is sold for, whether it may be used, its quota, and the device it exits through.
 */
public record ConnectionRecord(
        UUID id,
        String username,
        String passwordHash,
        ConnectionType type,
        boolean active,
        long bandwidthLimit,
        long bandwidthUsed,
        long usageGeneration,
        UUID deviceId) {

    @Override
    public String toString() {
        return "ConnectionRecord[id=" + id + ", username=" + username + ", type=" + type + ", active=" + active
                + ", limit="
                + bandwidthLimit + ", used=" + bandwidthUsed + ", generation=" + usageGeneration + ", device="
                + deviceId + "]";
    }
}
