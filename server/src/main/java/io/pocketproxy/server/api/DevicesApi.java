package io.pocketproxy.server.api;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import io.pocketproxy.server.devices.DeviceService;
import io.pocketproxy.server.devices.DeviceView;
import io.pocketproxy.server.devices.NewDevice;
import io.pocketproxy.server.rotation.RotationService;
import java.util.List;
import java.util.UUID;

/** {@code /api/devices}: an operator's devices. */
public final class DevicesApi {

    record CreateDeviceRequest(String name) {}

    /** The device plus what is shown only now: its token, its pairing string and the command that uses it. */
    record CreatedDeviceResponse(@JsonUnwrapped DeviceView device, String token, String pairing, String agentCommand) {}

    private final DeviceService devices;
    private final RotationService rotations;
    private final RequestBodies bodies;

    public DevicesApi(DeviceService devices, RotationService rotations, RequestBodies bodies) {
        this.devices = devices;
        this.rotations = rotations;
        this.bodies = bodies;
    }

    public void create(Context ctx) {
        CreateDeviceRequest request = bodies.read(ctx, CreateDeviceRequest.class);
        NewDevice created = devices.create(Authentication.currentUser(ctx).id(), request.name());
        String pairing = created.pairing().toString();
        ctx.status(201)
                .json(new CreatedDeviceResponse(
                        DeviceView.of(created.device()),
                        created.token(),
                        pairing,
                        // In the agent's environment, not on its command line, which every local user can read.
                        "POCKETPROXY_PAIR='" + pairing + "' pocketproxy agent"));
    }

    public void list(Context ctx) {
        List<DeviceView> views = devices.list(Authentication.currentUser(ctx).id()).stream()
                .map(DeviceView::of)
                .toList();
        ctx.json(views);
    }

    public void get(Context ctx) {
        ctx.json(DeviceView.of(devices.get(Authentication.currentUser(ctx).id(), id(ctx))));
    }

    public void delete(Context ctx) {
        devices.delete(Authentication.currentUser(ctx).id(), id(ctx));
        ctx.status(204);
    }

    public void statusLog(Context ctx) {
        ctx.json(devices.statusLog(Authentication.currentUser(ctx).id(), id(ctx)));
    }

    /** {@code 202} with a rotation just started, {@code 200} with the one already running. */
    public void rotateIp(Context ctx) {
        RotationService.Started started =
                rotations.start(Authentication.currentUser(ctx).id(), id(ctx));
        ctx.status(started.isNew() ? 202 : 200).json(started.rotation());
    }

    /** {@code PATCH /api/devices/{id}}: {@code rotation_interval} (seconds, or null for rotation on request only). */
    public void update(Context ctx) {
        JsonNode body = bodies.read(ctx, JsonNode.class);
        if (!body.isObject() || !body.has("rotation_interval") || body.size() != 1) {
            throw ApiException.badRequest(
                    "invalid_field",
                    "expected {\"rotation_interval\": seconds or null}, the one field a device changes");
        }
        JsonNode interval = body.get("rotation_interval");
        if (!interval.isNull() && !interval.canConvertToInt()) {
            throw ApiException.badRequest(
                    "invalid_field", "rotation_interval: " + interval + " (expected: whole seconds or null)");
        }
        UUID owner = Authentication.currentUser(ctx).id();
        rotations.setInterval(owner, id(ctx), interval.isNull() ? null : interval.intValue());
        ctx.json(DeviceView.of(devices.get(owner, id(ctx))));
    }

    public void rotations(Context ctx) {
        ctx.json(rotations.list(Authentication.currentUser(ctx).id(), id(ctx)));
    }

    private static UUID id(Context ctx) {
        return PathIds.uuid(ctx, "id", "device");
    }
}
