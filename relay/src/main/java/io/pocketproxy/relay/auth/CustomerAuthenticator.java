package io.pocketproxy.relay.auth;

import io.pocketproxy.link.AggregatedWarning;
import io.pocketproxy.relay.directory.ConnectionRecord;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.slf4j.LoggerFactory;

/**
 * Checks a customer's username and password. The fast path is the {@link VerifiedCredentials} cache;
 * otherwise bcrypt runs on the hashing pool, one check at a time per username, so fifty parallel
 * connections with the same new password cost one bcrypt and forty-nine cache hits. An unknown username
 * costs a bcrypt against a dummy hash, so timing does not tell which usernames exist. Failures are
 * throttled per (username, client address) and per client address.
 */
public final class CustomerAuthenticator {

    private final Customers customers;
    private final PasswordHashing hashing;
    private final VerifiedCredentials verified;
    private final FailureThrottle throttle;
    private final Map<String, CompletableFuture<AuthOutcome>> inFlight = new ConcurrentHashMap<>();
    private final AggregatedWarning unavailable = new AggregatedWarning(
            LoggerFactory.getLogger(CustomerAuthenticator.class),
            "cannot check customer credentials; answering them 'try again later'",
            Duration.ofSeconds(10));

    public CustomerAuthenticator(
            Customers customers,
            PasswordHashing hashing,
            Duration verifiedTtl,
            FailureThrottle.Limits limits,
            Clock clock) {
        this.customers = customers;
        this.hashing = hashing;
        this.verified = new VerifiedCredentials(verifiedTtl);
        this.throttle = new FailureThrottle(limits, clock);
    }

    /**
     * Checks the credentials and completes on {@code loop}: at once, without leaving it, when the answer is
     * known already (a verified-cache hit on a cached connection, a throttled client), else from a pool or
     * directory thread through a task on {@code loop}. Never completes exceptionally: a failed check is
     * {@link AuthOutcome.Unavailable}.
     */
    public CompletableFuture<AuthOutcome> authenticate(
            String username, String password, String clientAddress, Executor loop) {
        CompletableFuture<AuthOutcome> outcome = authenticate(username, password, clientAddress);
        if (outcome.isDone()) {
            return outcome;
        }
        CompletableFuture<AuthOutcome> onLoop = new CompletableFuture<>();
        outcome.thenAccept(settled -> loop.execute(() -> onLoop.complete(settled)));
        return onLoop;
    }

    /** Completes on a pool or directory thread, or at once; never exceptionally. */
    public CompletableFuture<AuthOutcome> authenticate(String username, String password, String clientAddress) {
        return check(username, password, clientAddress).exceptionally(failure -> {
            unavailable.warn(failure);
            return new AuthOutcome.Unavailable();
        });
    }

    private CompletableFuture<AuthOutcome> check(String username, String password, String clientAddress) {
        String identity = username + "@" + clientAddress;
        Optional<Duration> wait = throttle.waitBeforeAttempt(identity, clientAddress);
        if (wait.isPresent()) {
            return CompletableFuture.completedFuture(new AuthOutcome.Throttled(wait.get()));
        }
        return customers.find(username).thenCompose(found -> {
            if (found.isPresent() && verified.matches(found.get(), password)) {
                return CompletableFuture.completedFuture(new AuthOutcome.Accepted(found.get()));
            }
            return checkWithBcrypt(username, password, found).thenApply(outcome -> {
                if (outcome instanceof AuthOutcome.Rejected) {
                    throttle.recordFailure(identity, clientAddress);
                }
                return outcome;
            });
        });
    }

    /** One bcrypt at a time per username; each waiter first looks whether the one before it settled its case. */
    private CompletableFuture<AuthOutcome> checkWithBcrypt(
            String username, String password, Optional<ConnectionRecord> found) {
        CompletableFuture<AuthOutcome> next = new CompletableFuture<>();
        CompletableFuture<AuthOutcome> previous = inFlight.put(username, next);
        CompletableFuture<?> turn =
                previous == null ? CompletableFuture.completedFuture(null) : previous.handle((a, b) -> null);
        turn.thenCompose(ignored -> {
                    if (found.isPresent() && verified.matches(found.get(), password)) {
                        return CompletableFuture.completedFuture((AuthOutcome) new AuthOutcome.Accepted(found.get()));
                    }
                    return hashing.verify(
                                    password,
                                    found.map(ConnectionRecord::passwordHash).orElse(null))
                            .thenApply(ok -> {
                                if (ok && found.isPresent()) {
                                    verified.remember(found.get(), password);
                                    return (AuthOutcome) new AuthOutcome.Accepted(found.get());
                                }
                                return (AuthOutcome) new AuthOutcome.Rejected();
                            });
                })
                .whenComplete((outcome, error) -> {
                    inFlight.remove(username, next);
                    if (error != null) {
                        next.completeExceptionally(error);
                    } else {
                        next.complete(outcome);
                    }
                });
        return next;
    }
}
