package io.pocketproxy.server.importing;

import io.pocketproxy.relay.auth.PasswordHashing;
import io.pocketproxy.relay.directory.ConnectionType;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** The checks every source's values go through, whatever the source, so CSV and legacy rows obey the same rules. */
final class RowChecks {

    private RowChecks() {}

    /**
     * A username customers can type into both proxies: HTTP Basic cannot carry a colon in it, SOCKS5 carries at most
     * 255 bytes, and no control character belongs in one.
     */
    static String username(String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("username: missing (expected: the customer's user name)");
        }
        String username = value.strip();
        if (username.getBytes(StandardCharsets.UTF_8).length > 255
                || username.indexOf(':') >= 0
                || username.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException(
                    "username: '" + username + "' (expected: at most 255 bytes, no colon or control characters)");
        }
        return username;
    }

    /** Types are read case-insensitively; a source without a type column gives SOCKS5. */
    static ConnectionType type(String value) {
        if (value == null || value.isBlank()) {
            return ConnectionType.SOCKS5;
        }
        try {
            return ConnectionType.valueOf(value.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("type: '" + value.strip() + "' (expected: http, socks5 or openvpn)");
        }
    }

    /** A plaintext bcrypt can take whole; its value never appears in the message. */
    static String plaintext(String column, String value) {
        if (value != null && !PasswordHashing.fitsBcrypt(value)) {
            throw new IllegalArgumentException(column + ": longer than " + PasswordHashing.MAX_PASSWORD_BYTES
                    + " bytes, which bcrypt cannot take whole (expected: a shorter password)");
        }
        return value;
    }

    static String deviceName(String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("device: missing (expected: the name of the device it runs through)");
        }
        String name = value.strip();
        if (name.length() > 100) {
            throw new IllegalArgumentException("device: '" + name + "' is longer than 100 characters");
        }
        return name;
    }
}
