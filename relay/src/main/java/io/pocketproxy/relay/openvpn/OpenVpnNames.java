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
 */
public record OpenVpnNames(
        String tunDevice,
        String table,
        int mark,
        int routeTable,
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
        // 0x5050 ("PP") in the high half, 16 bits of the directory's digest in the low half: unlikely to meet
        // another program's marks or tables, and distinct for two data directories but for a 1 in 65536 chance.
        int low = ((digest[4] & 0xff) << 8) | (digest[5] & 0xff);
        int mark = 0x5050_0000 | low;
        Path directory = absolute.resolve(OpenVpnPki.DIRECTORY);
        return new OpenVpnNames(
                "pp" + id,
                "pocketproxy_" + id,
                mark,
                mark,
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
