package io.pocketproxy.relay.openvpn.management;

/**
 * A client OpenVPN asks us to let in: {@code >CLIENT:CONNECT} (a new session) or {@code >CLIENT:REAUTH} (a TLS
 * renegotiation of an established one), with the username and password the client sent. Answered with
 * {@link ManagementInterface#authorize} or {@link ManagementInterface#deny}.
 *
 * @param clientId OpenVPN's client id (CID), stable for the session
 * @param keyId the key id (KID) of this negotiation, which the answer names
 * @param clientAddress the client's public address ({@code untrusted_ip}), for failure throttling
 */
public record ClientRequest(
        Kind kind, long clientId, long keyId, String username, String password, String clientAddress) {

    public enum Kind {
        CONNECT,
        REAUTH
    }

    /** Never the password: this is what reaches logs. */
    @Override
    public String toString() {
        return "ClientRequest[" + kind + " cid=" + clientId + " kid=" + keyId + " username=" + username + " from "
                + clientAddress + "]";
    }
}
