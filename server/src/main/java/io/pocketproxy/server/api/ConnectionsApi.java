package io.pocketproxy.server.api;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.javalin.http.Context;
import io.pocketproxy.relay.directory.ConnectionType;
import io.pocketproxy.server.connections.ConnectionChanges;
import io.pocketproxy.server.connections.ConnectionService;
import io.pocketproxy.server.connections.ConnectionView;
import io.pocketproxy.server.connections.IssuedPassword;
import io.pocketproxy.server.connections.ProxyConnection;
import io.pocketproxy.server.connections.ProxyEndpoints;
import io.pocketproxy.server.openvpn.OpenVpnProfiles;
import java.util.List;
import java.util.UUID;

/** {@code /api/connections}: an operator's customer connections. */
public final class ConnectionsApi {

    record CreateConnectionRequest(UUID deviceId, ConnectionType type, Long bandwidthLimit) {}

    record UpdateConnectionRequest(Long bandwidthLimit, Boolean active, UUID deviceId) {}

    /**
     * Shown once, after create and regenerate: the password, a proxy URL ready for {@code curl -x} (HTTP, SOCKS5),
     * and for OPENVPN the {@code .ovpn} profile with the credentials inline.
     */
    record ConnectionWithPassword(
            @JsonUnwrapped ConnectionView connection, String password, String proxyUrl, String ovpn) {}

    static final String PROFILE_TYPE = "application/x-openvpn-profile";

    private final ConnectionService connections;
    private final ProxyEndpoints endpoints;
    private final RequestBodies bodies;

    public ConnectionsApi(ConnectionService connections, ProxyEndpoints endpoints, RequestBodies bodies) {
        this.connections = connections;
        this.endpoints = endpoints;
        this.bodies = bodies;
    }

    public void create(Context ctx) {
        CreateConnectionRequest request = bodies.read(ctx, CreateConnectionRequest.class);
        IssuedPassword issued =
                connections.create(owner(ctx), request.deviceId(), request.type(), request.bandwidthLimit());
        ctx.status(201).json(withPassword(issued));
    }

    public void list(Context ctx) {
        UUID deviceId = null;
        String deviceFilter = ctx.queryParam("device_id");
        if (deviceFilter != null && !deviceFilter.isBlank()) {
            try {
                deviceId = UUID.fromString(deviceFilter);
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("invalid_field", "device_id: expected an id (UUID)");
            }
        }
        List<ConnectionView> views = connections.list(owner(ctx), deviceId).stream()
                .map(connection -> ConnectionView.of(connection, endpoints))
                .toList();
        ctx.json(views);
    }

    public void get(Context ctx) {
        ctx.json(ConnectionView.of(connections.get(owner(ctx), id(ctx)), endpoints));
    }

    public void update(Context ctx) {
        UUID id = id(ctx);
        UpdateConnectionRequest request = bodies.read(ctx, UpdateConnectionRequest.class);
        ProxyConnection updated = connections.update(
                owner(ctx), id, new ConnectionChanges(request.bandwidthLimit(), request.active(), request.deviceId()));
        ctx.json(ConnectionView.of(updated, endpoints));
    }

    public void delete(Context ctx) {
        connections.delete(owner(ctx), id(ctx));
        ctx.status(204);
    }

    public void regeneratePassword(Context ctx) {
        ctx.json(withPassword(connections.regeneratePassword(owner(ctx), id(ctx))));
    }

    /** {@code GET /api/connections/{id}/ovpn}: the profile to import, without credentials. */
    public void openVpnProfile(Context ctx) {
        OpenVpnProfiles.Download profile = connections.openVpnProfile(owner(ctx), id(ctx));
        ctx.header("Content-Disposition", "attachment; filename=\"" + profile.fileName() + "\"");
        ctx.contentType(PROFILE_TYPE).result(profile.text());
    }

    public void resetBandwidth(Context ctx) {
        ctx.json(ConnectionView.of(connections.resetUsage(owner(ctx), id(ctx)), endpoints));
    }

    private ConnectionWithPassword withPassword(IssuedPassword issued) {
        ProxyConnection connection = issued.connection();
        return new ConnectionWithPassword(
                ConnectionView.of(connection, endpoints),
                issued.password(),
                endpoints.proxyUrlOf(connection.type(), connection.username(), issued.password()),
                connections.openVpnProfile(issued).orElse(null));
    }

    private static UUID owner(Context ctx) {
        return Authentication.currentUser(ctx).id();
    }

    private static UUID id(Context ctx) {
        return PathIds.uuid(ctx, "id", "connection");
    }
}
