package io.pocketproxy.relay.openvpn;

import java.util.Locale;

/** {@code --openvpn}: whether the server runs its OpenVPN endpoint. */
public enum OpenVpnMode {
    /** On when this host allows it (the binary, a tun device, netfilter), otherwise off with one line saying why. */
    AUTO,
    /** On, or the server does not start: a missing prerequisite is an error. */
    ON,
    /** Off: OPENVPN connections cannot be created. */
    OFF;

    /** As the option takes it: {@code auto}, {@code on}, {@code off}. */
    public static OpenVpnMode parse(String text) {
        try {
            return valueOf(text.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("openvpn: " + text + " (expected: auto, on or off)");
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
