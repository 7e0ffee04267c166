package io.pocketproxy.server.openvpn;

import io.pocketproxy.link.HostAndPort;
import io.pocketproxy.relay.openvpn.OpenVpnPki;
import io.pocketproxy.relay.openvpn.OpenVpnProtocol;
import java.util.Optional;

/**
 * Writes a customer's {@code .ovpn} profile: a plain, standard OpenVPN client configuration that any OpenVPN
 * 2.5 or newer client imports as it is. It pins this server's CA and carries its {@code tls-crypt} key, asks
 * for modern ciphers, and checks that the server's certificate is a server's. Credentials are inline
 * ({@code <auth-user-pass>}) only in the profile handed out with a new password; the one downloaded later
 * has {@code auth-user-pass} alone, and the client asks for them.
 */
public final class ProfileWriter {

    private final OpenVpnPki pki;
    private final String host;
    private final int port;
    private final OpenVpnProtocol protocol;

    public ProfileWriter(OpenVpnPki pki, String host, int port, OpenVpnProtocol protocol) {
        this.pki = pki;
        this.host = HostAndPort.unbracketed(host);
        this.port = port;
        this.protocol = protocol;
    }

    /** The profile of {@code username}; with {@code password}, the credentials inline. */
    public String profile(String username, Optional<String> password) {
        StringBuilder text = new StringBuilder();
        text.append("# OpenVPN profile of ").append(username).append('\n');
        text.append("client\n");
        text.append("dev tun\n");
        text.append("proto ").append(protocol.clientProto()).append('\n');
        text.append("remote ").append(host).append(' ').append(port).append('\n');
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
