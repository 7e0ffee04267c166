package io.pocketproxy.server.api;

import io.javalin.http.Context;
import io.pocketproxy.relay.auth.FailureThrottle;
import io.pocketproxy.relay.auth.RetryAfter;
import io.pocketproxy.server.rotation.Rotation;
import io.pocketproxy.server.rotation.RotationLinks;
import io.pocketproxy.server.rotation.RotationService;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

/**
 * Customers' rotation links: {@code POST /api/connections/{id}/rotation-link} hands one out (shown once), and
 * {@code GET|POST /rotate/{secret}} rotates that connection's device without a login, waiting up to a minute for the
 * outcome. Unknown secrets are refused like failed sign-ins: a few per minute per address, then {@code 429}.
 */
public final class RotationLinksApi {

    /** How long a customer's call waits for its rotation to end before answering that it still runs. */
    static final Duration PATIENCE = Duration.ofSeconds(60);

    /** Wrong secrets allowed per address: a burst of 10, then one a minute. */
    static final FailureThrottle.Limits GUESSES = new FailureThrottle.Limits(10, 10, Duration.ofMinutes(1));

    record Link(String url, String note) {}

    /** A rotation as its customer sees it: no device or owner ids. */
    record Outcome(UUID id, String status, String oldIp, String newIp, Boolean changed, String error, Long tookMs) {
        static Outcome of(Rotation rotation) {
            return new Outcome(
                    rotation.id(),
                    rotation.status().wireName(),
                    rotation.oldIp(),
                    rotation.newIp(),
                    rotation.changed(),
                    rotation.error(),
                    rotation.tookMs());
        }
    }

    private final RotationLinks links;
    private final RotationService rotations;
    private final DashboardOrigin origin;
    private final FailureThrottle guesses;

    public RotationLinksApi(RotationLinks links, RotationService rotations, DashboardOrigin origin, Clock clock) {
        this.links = links;
        this.rotations = rotations;
        this.origin = origin;
        this.guesses = new FailureThrottle(GUESSES, clock);
    }

    public void issue(Context ctx) {
        UUID connection = PathIds.uuid(ctx, "id", "connection");
        String secret = links.issue(Authentication.currentUser(ctx).id(), connection);
        String base = origin.origin(ctx);
        ctx.status(201)
                .json(new Link(
                        (base == null ? "" : base) + "/rotate/" + secret,
                        "shown once; anyone with it can rotate the IP of this connection's device, which changes the"
                                + " IP of every connection on that device; a new link replaces this one"));
    }

    public void rotate(Context ctx) throws InterruptedException {
        String address = ctx.ip();
        String identity = "rotation-link:" + address;
        Optional<Duration> wait = guesses.tryReserve(identity, address);
        if (wait.isPresent()) {
            long seconds = RetryAfter.seconds(wait.get());
            ctx.header("Retry-After", Long.toString(seconds));
            throw new ApiException(429, "too_many_attempts", "too many unknown links; try again in " + seconds + " s");
        }
        Optional<RotationLinks.Target> target = links.find(ctx.pathParam("secret"));
        if (target.isEmpty()) {
            throw new ApiException(404, "not_found", "no such rotation link (it may have been replaced)");
        }
        guesses.release(identity, address);
        RotationService.Started started =
                rotations.start(target.get().ownerId(), target.get().deviceId());
        Rotation rotation =
                rotations.awaitEnd(target.get().ownerId(), started.rotation().id(), PATIENCE);
        ctx.status(rotation.status() == Rotation.Status.RUNNING ? 202 : 200).json(Outcome.of(rotation));
    }
}
