package io.pocketproxy.server.connections;

/** A connection with the password just generated for it: the one moment that password exists in the clear. */
public record IssuedPassword(ProxyConnection connection, String password) {

    @Override
    public String toString() {
        return "IssuedPassword[connection=" + connection + ", password=****]";
    }
}
