package io.pocketproxy.relay.openvpn;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The names one server's OpenVPN endpoint owns on its host, all derived from its data directory so that two
 * servers never share one and a restarted server finds what it left behind: its tun device, its netfilter
 * table, the packet mark and routing table that deliver diverted flows locally, and its files.
 *
 * @param tunDevice the tun device OpenVPN creates ({@code pp} and 8 hex digits: within Linux's 15 characters)
 * @param table the nftables table ({@code ip} family) holding every rule we add
 * @param mark the packet mark of diverted flows
 * @param routeTable the routing table that sends marked packets to the local stack
 * @param clientIpv6 the IPv6 address (with its {@code /64}) every client is given so that its IPv6 goes into the
 *     tunnel, where OpenVPN refuses it ({@code block-ipv6}): a unique local address, never routed anywhere
 */
public record OpenVpnNames(
        String tunDevice,
        String table,
        int mark,
        int routeTable,
        String clientIpv6,
        Path directory,
        Path configFile,
        Path pidFile,
        Path managementSocket,
        Path logFile) {

    /** Where the rule sending marked packets to {@link #routeTable} sits; before the main table (32766). */
    public static final int RULE_PREFERENCE = 10_000;

    /**
     * A Unix socket's path must fit in {@code sun_path} (108 bytes with its terminating zero): a data directory
     * much longer than usual cannot hold the management socket.
     */
    static final int MAX_SOCKET_PATH = 107;

    public static OpenVpnNames of(Path dataDir) {
        Path absolute = dataDir.toAbsolutePath().normalize();
        byte[] digest = sha256(absolute.toString());
        String id = HexFormat.of().formatHex(digest, 0, 4);
        // 0x50 ("P") in the high byte, 24 bits of the directory's digest below: unlikely to meet another
        // program's marks or tables, and distinct for two data directories but for a 1 in 16 million chance.
        int low = ((digest[4] & 0xff) << 16) | ((digest[5] & 0xff) << 8) | (digest[6] & 0xff);
        int mark = 0x5000_0000 | low;
        // fd00::/8 with 40 bits of the digest as its global ID (RFC 4193), subnet 0, the client ::2.
        String clientIpv6 = String.format(
                "fd%02x:%02x%02x:%02x%02x::2/64",
                digest[7] & 0xff, digest[8] & 0xff, digest[9] & 0xff, digest[10] & 0xff, digest[11] & 0xff);
        Path directory = absolute.resolve(OpenVpnPki.DIRECTORY);
        return new OpenVpnNames(
                "pp" + id,
                "pocketproxy_" + id,
                mark,
                mark,
                clientIpv6,
                directory,
                directory.resolve("server.conf"),
                directory.resolve("openvpn.pid"),
                directory.resolve("management.sock"),
                absolute.resolve("openvpn.log"));
    }

    /** The management socket's path fits a Unix socket address; if not, says what to do. */
    public void requireSocketPathFits() {
        int length = managementSocket.toString().getBytes(StandardCharsets.UTF_8).length;
        if (length > MAX_SOCKET_PATH) {
            throw new IllegalStateException("openvpn: the management socket " + managementSocket + " is " + length
                    + " bytes long (expected: at most " + MAX_SOCKET_PATH
                    + " for a Unix socket); use a shorter --data-dir");
        }
    }

    /** The address {@link #clientIpv6}'s clients are told is their IPv6 gateway (the same /64's {@code ::1}). */
    public String clientIpv6Gateway() {
        return clientIpv6.substring(0, clientIpv6.indexOf("::")) + "::1";
    }

    /** The mark as nftables and {@code ip rule} write it. */
    public String markHex() {
        return "0x" + Integer.toHexString(mark);
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }
}
