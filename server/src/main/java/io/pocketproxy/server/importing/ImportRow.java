package io.pocketproxy.server.importing;

import io.pocketproxy.relay.directory.ConnectionType;

/**
 * One customer connection as a source describes it, checked but not yet written. Its plaintext password, if the
 * source had one, lives only here and only until it is hashed: {@link #toString} never shows it, nor the hash.
 *
 * @param origin where the row came from, for the report: {@code line 7} of a CSV file, {@code id 42} of a table
 * @param plaintext the password as the old system kept it; null or empty when it had none
 * @param hash the old system's hash; null when it had none (not yet checked to be bcrypt)
 */
public record ImportRow(
        String origin,
        String username,
        String plaintext,
        String hash,
        ConnectionType type,
        long bandwidthLimit,
        long bandwidthUsed,
        boolean active,
        DeviceRef device) {

    /**
     * The device a connection runs through: an earlier system's device by its id there, or (from CSV) a device of
     * the operator by name.
     *
     * @param legacyId the earlier system's id, kept on our device; null for a device named in a CSV file
     */
    public record DeviceRef(String legacyId, String name) {}

    public boolean hasPlaintext() {
        return plaintext != null && !plaintext.isEmpty();
    }

    @Override
    public String toString() {
        return "ImportRow[" + origin + ", username=" + username + ", type=" + type + ", plaintext="
                + (hasPlaintext() ? "****" : "none") + ", hash=" + (hash == null ? "none" : "****") + "]";
    }
}
