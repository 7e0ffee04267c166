package io.pocketproxy.relay.auth;

import io.pocketproxy.link.AggregatedWarning;
import io.pocketproxy.relay.directory.ConnectionRecord;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.slf4j.LoggerFactory;

/**
 * Checks a customer's username and password. The fast path is the {@link VerifiedCredentials} cache;
 * otherwise bcrypt runs on the customers' hashing pool through {@link PasswordChecks}, so that fifty parallel
 * connections with the same new password cost one bcrypt, and a hundred parallel guesses cost no more checks than
 * the throttle allows. An unknown username costs a bcrypt against a dummy hash, so timing does not tell which
 * usernames exist. Failures are throttled per (username, client address) and per client address.
 */
public final class CustomerAuthenticator {

    private final Customers customers;
    private final VerifiedCredentials verified;
    private final PasswordChecks checks;
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
        this.verified = new VerifiedCredentials(verifiedTtl);
        this.checks = new PasswordChecks(limits, hashing, clock);
    }

    /**
     * Checks the credentials and completes on {@code loop}: at once, without leaving it, when the answer is
     * known already (a verified-cache hit on a cached connection, a throttled client, a full queue), else from a
     * pool or directory thread through a task on {@code loop}. Never completes exceptionally: a failed check is
     * {@link AuthOutcome.Unavailable}.
     */
    public CompletableFuture<AuthOutcome<ConnectionRecord>> authenticate(
            String username, String password, String clientAddress, Executor loop) {
        CompletableFuture<AuthOutcome<ConnectionRecord>> outcome = authenticate(username, password, clientAddress);
        if (outcome.isDone()) {
            return outcome;
        }
        CompletableFuture<AuthOutcome<ConnectionRecord>> onLoop = new CompletableFuture<>();
        outcome.thenAccept(settled -> loop.execute(() -> onLoop.complete(settled)));
        return onLoop;
    }

    /** Completes on a pool or directory thread, or at once; never exceptionally. */
    public CompletableFuture<AuthOutcome<ConnectionRecord>> authenticate(
            String username, String password, String clientAddress) {
        return check(username, password, clientAddress).exceptionally(failure -> {
            unavailable.warn(failure);
            return new AuthOutcome.Unavailable<>();
        });
    }

    private CompletableFuture<AuthOutcome<ConnectionRecord>> check(
            String username, String password, String clientAddress) {
        String identity = username + "@" + clientAddress;
        Optional<Duration> wait = checks.waitBeforeAttempt(identity, clientAddress);
        if (wait.isPresent()) {
            return CompletableFuture.completedFuture(new AuthOutcome.Throttled<>(wait.get()));
        }
        return customers.find(username).thenCompose(found -> {
            if (found.isPresent() && verified.matches(found.get(), password)) {
                return CompletableFuture.completedFuture(new AuthOutcome.Accepted<>(found.get()));
            }
            return checks.check(identity, clientAddress, password, found, ConnectionRecord::passwordHash)
                    .thenApply(outcome -> {
                        if (outcome instanceof AuthOutcome.Accepted<ConnectionRecord> accepted) {
                            verified.remember(accepted.account(), password);
                        }
                        return outcome;
                    });
        });
    }
}
