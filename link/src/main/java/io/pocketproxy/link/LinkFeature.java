package io.pocketproxy.link;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.StringJoiner;

/**
 * What a link can do beyond the first protocol (CONNECT and the heartbeat), agreed when it starts. Agents in the field
 * are older than their relay: the agent lists what it understands in its link request ({@link #HEADER}), the relay
 * answers in its {@code 101} with what both understand, and neither end asks the other for anything outside that
 * list. An agent that sends no list speaks the first protocol and keeps proxying.
 */
public enum LinkFeature {
    /** {@code GET /v1/resolve}: the device resolves names for OpenVPN customers. */
    RESOLVE("resolve"),
    /** The heartbeat's health headers (battery, charging, signal, network type, carrier). */
    HEALTH("health"),
    /** {@code GET /v1/address} on the relay's link port: the relay tells a caller which address it sees. */
    ADDRESS_ECHO("address-echo"),
    /** {@code POST /v1/rotate}: the device changes its IP with its rotate command and reports how that went. */
    ROTATE("rotate");

    /** The header of the link request and of its {@code 101} answer that carries the list. */
    public static final String HEADER = "pocketproxy-features";

    private final String wireName;

    LinkFeature(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** Every feature this build understands. */
    public static Set<LinkFeature> all() {
        return Collections.unmodifiableSet(EnumSet.allOf(LinkFeature.class));
    }

    /**
     * The features named in a header value ({@code resolve, health}); names this build does not know are skipped, as a
     * newer peer's would be; {@code null} (no header: the first protocol) is none.
     */
    public static Set<LinkFeature> parse(String header) {
        Set<LinkFeature> features = EnumSet.noneOf(LinkFeature.class);
        if (header == null) {
            return features;
        }
        for (String name : header.split(",", 64)) {
            String wire = name.trim().toLowerCase(Locale.ROOT);
            for (LinkFeature feature : values()) {
                if (feature.wireName.equals(wire)) {
                    features.add(feature);
                }
            }
        }
        return features;
    }

    /** The header value for these features: names joined by {@code ", "}; empty for none. */
    public static String format(Set<LinkFeature> features) {
        StringJoiner joined = new StringJoiner(", ");
        for (LinkFeature feature : features) {
            joined.add(feature.wireName);
        }
        return joined.toString();
    }

    /** What both ends understand. */
    public static Set<LinkFeature> agreed(Set<LinkFeature> offered, Set<LinkFeature> understood) {
        Set<LinkFeature> both = EnumSet.noneOf(LinkFeature.class);
        both.addAll(offered);
        both.retainAll(understood);
        return both;
    }
}
