package io.pocketproxy.server.openvpn;

import io.pocketproxy.relay.openvpn.OpenVpnPki;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Writes a customer's {@code .ovpn} profile: a plain, standard OpenVPN client configuration that any OpenVPN
 * 2.5 or newer client imports as it is. It pins this server's CA and carries its {@code tls-crypt} key, asks
 * for modern ciphers, and checks that the server's certificate is a server's. Every node of the farm that runs
 * OpenVPN with these keys is a {@code remote} line; the client picks one at random and moves on from one that does
 * not answer. Credentials are inline
 * ({@code <auth-user-pass>}) only in the profile handed out with a new password; the one downloaded later
 * has {@code auth-user-pass} alone, and the client asks for them.
 */
public final class ProfileWriter {

    /**
     * How long a client waits for a node to answer before it tries the next {@code remote} (or the next address of
     * its name): OpenVPN's own 120 s would keep a customer waiting two minutes on a dead node when the farm has live
     * ones.
     */
    static final int SERVER_POLL_TIMEOUT_SECONDS = 10;

    private final OpenVpnPki pki;
    private final Supplier<List<OpenVpnRemote>> remotes;

    /**
     * A writer whose profiles list {@code remotes}, asked anew for each profile (the farm's live nodes change); never
     * empty: the node that writes them is one.
     */
    public ProfileWriter(OpenVpnPki pki, Supplier<List<OpenVpnRemote>> remotes) {
        this.pki = pki;
        this.remotes = remotes;
    }

    /** A writer for a node alone. */
    public ProfileWriter(OpenVpnPki pki, OpenVpnRemote remote) {
        this(pki, () -> List.of(remote));
    }

    /** The profile of {@code username}; with {@code password}, the credentials inline. */
    public String profile(String username, Optional<String> password) {
        StringBuilder text = new StringBuilder();
        text.append("# OpenVPN profile of ").append(username).append('\n');
        text.append("client\n");
        text.append("dev tun\n");
        List<OpenVpnRemote> listed = remotes.get();
        if (listed.isEmpty()) {
            throw new IllegalStateException("no OpenVPN node to name in a profile (expected: at least this server's)");
        }
        // Each remote line names its protocol; this one is for clients that read only the first word of a remote.
        text.append("proto ").append(listed.get(0).protocol().clientProto()).append('\n');
        listed.forEach(remote -> text.append(remote.line()).append('\n'));
        if (listed.size() > 1) {
            text.append("remote-random\n"); // customers spread over the nodes
        }
        // Also with one line: a name several nodes share resolves to several addresses, tried in turn.
        text.append("server-poll-timeout ").append(SERVER_POLL_TIMEOUT_SECONDS).append('\n');
        text.append("resolv-retry infinite\n");
        text.append("nobind\n");
        text.append("persist-key\n");
        text.append("persist-tun\n");
        text.append("remote-cert-tls server\n");
        text.append("tls-version-min 1.2\n");
        text.append("data-ciphers AES-256-GCM:CHACHA20-POLY1305\n");
        text.append("verb 3\n");
        if (password.isPresent()) {
            text.append("<auth-user-pass>\n")
                    .append(username)
                    .append('\n')
                    .append(password.get())
                    .append('\n')
                    .append("</auth-user-pass>\n");
        } else {
            text.append("auth-user-pass\n");
        }
        text.append("<ca>\n").append(pki.caCertificatePem().strip()).append("\n</ca>\n");
        text.append("<tls-crypt>\n").append(pki.tlsCryptKey().strip()).append("\n</tls-crypt>\n");
        return text.toString();
    }

    /** The file name a downloaded profile gets: {@code <username>.ovpn}. */
    public static String fileName(String username) {
        return username + ".ovpn";
    }
}
