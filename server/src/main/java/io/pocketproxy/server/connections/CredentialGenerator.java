package io.pocketproxy.server.connections;

import io.pocketproxy.server.secrets.Secrets;

/**
 * Usernames and passwords for customers. Both use letters and digits only, so they survive URLs
 * ({@code http://user:pass@host}), shells and config files without quoting.
 */
final class CredentialGenerator {

    private static final String ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final String LOWER_ALPHANUMERIC = "abcdefghijklmnopqrstuvwxyz0123456789";

    /** 24 symbols of 62: log2(62^24) = 142.9 bits, above the 128 we promise. */
    static final int PASSWORD_LENGTH = 24;

    String newUsername() {
        return "pp" + Secrets.randomString(LOWER_ALPHANUMERIC, 10);
    }

    String newPassword() {
        return Secrets.randomString(ALPHANUMERIC, PASSWORD_LENGTH);
    }
}
