package io.pocketproxy.relay.openvpn;

import java.net.InetAddress;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kernel's part of the endpoint: everything the tun device receives goes to the relay or nowhere.
 *
 * <ul>
 *   <li>TCP is diverted with TPROXY to the relay's transparent listener, which then sees each flow's original
 *       destination as its local address; the divert mark routes those packets to the local stack (a routing rule
 *       and table of our own), whatever their destination.
 *   <li>UDP to port 53, to any resolver, is sent to the relay's DNS port (DNAT, so answers go back from the
 *       address the client asked).
 *   <li>Other UDP is refused with ICMP port unreachable, so that QUIC clients fall back to TCP at once.
 *   <li>Nothing from or to the tun device is forwarded, whatever {@code ip_forward} says: traffic leaves only
 *       through the device.
 * </ul>
 *
 * <p>All rules sit in one nftables table of our own ({@link OpenVpnNames#table()}), added at start and deleted at
 * stop; a start first deletes whatever a crashed predecessor left, its tun device included.
 */
final class Netfilter {

    private static final Logger log = LoggerFactory.getLogger(Netfilter.class);

    private final OpenVpnNames names;
    private final OpenVpnPrerequisites.Tools tools;

    Netfilter(OpenVpnNames names, OpenVpnPrerequisites.Tools tools) {
        this.names = names;
        this.tools = tools;
    }

    /** What a server that did not stop cleanly left behind: removed, and said so. */
    void removeLeftovers() {
        if (installed()) {
            log.warn("removing netfilter table ip {} left by a server that did not shut down", names.table());
        }
        remove();
        // OpenVPN removes its tun device when it ends; one killed with its server may not have.
        if (Commands.run(ip(), "link", "show", "dev", names.tunDevice()).succeeded()) {
            log.warn("removing tun device {} left by a server that did not shut down", names.tunDevice());
            Commands.Result deleted = Commands.run(ip(), "link", "del", "dev", names.tunDevice());
            if (!deleted.succeeded()) {
                log.warn("cannot delete tun device {}: {}", names.tunDevice(), deleted.output());
            }
        }
    }

    void install(InetAddress serverAddress, int flowPort, int dnsPort) {
        remove();
        Commands.require(
                "adding the OpenVPN netfilter rules",
                List.of(nft(), "-f", "-"),
                ruleset(names, serverAddress.getHostAddress(), flowPort, dnsPort));
        Commands.require(
                "routing diverted OpenVPN flows",
                List.of(
                        ip(),
                        "rule",
                        "add",
                        "fwmark",
                        names.markHex(),
                        "lookup",
                        Integer.toString(names.routeTable()),
                        "pref",
                        Integer.toString(OpenVpnNames.RULE_PREFERENCE)),
                null);
        Commands.require(
                "routing diverted OpenVPN flows",
                List.of(
                        ip(),
                        "route",
                        "add",
                        "local",
                        "0.0.0.0/0",
                        "dev",
                        "lo",
                        "table",
                        Integer.toString(names.routeTable())),
                null);
        log.info(
                "netfilter table ip {} diverts {}'s TCP to port {} and its DNS to port {}",
                names.table(),
                names.tunDevice(),
                flowPort,
                dnsPort);
    }

    /** Removes our table, rule and routes, if present: safe to call when nothing is there. */
    void remove() {
        if (installed()) {
            Commands.Result deleted = Commands.run(nft(), "delete", "table", "ip", names.table());
            if (!deleted.succeeded()) {
                log.warn("cannot delete netfilter table ip {}: {}", names.table(), deleted.output());
            }
        }
        // One rule per start at most, but a crash loop may have left several: bounded, each deletion one less.
        for (int attempt = 0; attempt < 16; attempt++) {
            Commands.Result deleted = Commands.run(
                    ip(), "rule", "del", "fwmark", names.markHex(), "lookup", Integer.toString(names.routeTable()));
            if (!deleted.succeeded()) {
                break;
            }
        }
        Commands.run(ip(), "route", "flush", "table", Integer.toString(names.routeTable()));
    }

    boolean installed() {
        return Commands.run(nft(), "list", "table", "ip", names.table()).succeeded();
    }

    static String ruleset(OpenVpnNames names, String serverAddress, int flowPort, int dnsPort) {
        String tun = "\"" + names.tunDevice() + "\"";
        String mark = names.markHex();
        return """
                table ip %1$s {
                	chain divert {
                		type filter hook prerouting priority mangle; policy accept;
                		iifname %2$s meta l4proto tcp socket transparent 1 meta mark set %3$s accept
                		iifname %2$s meta l4proto tcp tproxy to %4$s:%5$d meta mark set %3$s accept
                		iifname %2$s meta l4proto udp udp dport != 53 reject with icmp type port-unreachable
                	}
                	chain dns {
                		type nat hook prerouting priority dstnat; policy accept;
                		iifname %2$s udp dport 53 dnat to %4$s:%6$d
                	}
                	chain input {
                		type filter hook input priority filter; policy accept;
                		iifname %2$s meta mark %3$s accept
                		iifname %2$s ip daddr %4$s udp dport %6$d accept
                		iifname %2$s drop
                	}
                	chain forward {
                		type filter hook forward priority filter; policy accept;
                		iifname %2$s drop
                		oifname %2$s drop
                	}
                }
                """.formatted(names.table(), tun, mark, serverAddress, flowPort, dnsPort);
    }

    private String nft() {
        return tools.nft().toString();
    }

    private String ip() {
        return tools.ip().toString();
    }
}
