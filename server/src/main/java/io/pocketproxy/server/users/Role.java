package io.pocketproxy.server.users;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Admins manage users; operators manage their own devices and connections. Both are operators of rows. */
public enum Role {
    ADMIN,
    OPERATOR;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return wireName();
    }

    public static Role fromWireName(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
