package io.pocketproxy.server.api;

import io.javalin.http.Context;
import io.pocketproxy.server.users.Role;
import io.pocketproxy.server.users.User;
import io.pocketproxy.server.users.UserService;
import io.pocketproxy.server.users.UserView;

/** {@code /api/users}: admins create operators. */
public final class UsersApi {

    record CreateUserRequest(String email, String password, String name, Role role) {}

    private final UserService users;
    private final RequestBodies bodies;

    public UsersApi(UserService users, RequestBodies bodies) {
        this.users = users;
        this.bodies = bodies;
    }

    public void create(Context ctx) {
        CreateUserRequest request = bodies.read(ctx, CreateUserRequest.class);
        Role role = request.role() == null ? Role.OPERATOR : request.role();
        User user = users.create(request.email(), request.password(), request.name(), role);
        ctx.status(201).json(UserView.of(user));
    }
}
