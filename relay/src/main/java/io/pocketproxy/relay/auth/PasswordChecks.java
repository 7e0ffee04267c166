package io.pocketproxy.relay.auth;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Password checks that parallel guessing cannot multiply, for customers and operators alike.
 *
 * <ul>
 *   <li>Identical attempts in flight (the same client address, identity and password) share one check: fifty
 *       connections opened at once with a new password cost one bcrypt and one throttle token.
 *   <li>Each check takes its {@link FailureThrottle} token when it starts; a success, or a check that could not be
 *       made, gives it back. At most the throttle's limit of checks is ever running or done per window, however
 *       many guesses arrive at once.
 *   <li>bcrypt's queue is bounded ({@link PasswordHashing.Queue}): when it is full the attempt is answered
 *       {@link AuthOutcome.Busy} at once and its token is given back.
 * </ul>
 */
public final class PasswordChecks {

    /** What makes two attempts the same; lives only while the check runs. */
    private record Attempt(String clientAddress, String identity, String password) {}

    private final FailureThrottle throttle;
    private final PasswordHashing hashing;
    private final Map<Attempt, CompletableFuture<AuthOutcome<Boolean>>> inFlight = new ConcurrentHashMap<>();

    public PasswordChecks(FailureThrottle.Limits limits, PasswordHashing hashing, Clock clock) {
        this.throttle = new FailureThrottle(limits, clock);
        this.hashing = hashing;
    }

    /** How long this client must wait before its next attempt may be checked, if it must. Takes nothing. */
    public Optional<Duration> waitBeforeAttempt(String identity, String clientAddress) {
        return throttle.waitBeforeAttempt(identity, clientAddress);
    }

    /**
     * Checks {@code password} against the hash of {@code account} (an absent account costs the same check against a
     * dummy hash). Completes on a hashing thread, or at once; exceptionally only when the hashing pool failed.
     */
    public <A> CompletableFuture<AuthOutcome<A>> check(
            String identity,
            String clientAddress,
            String password,
            Optional<A> account,
            Function<A, String> passwordHash) {
        Attempt attempt = new Attempt(clientAddress, identity, password);
        CompletableFuture<AuthOutcome<Boolean>> mine = new CompletableFuture<>();
        CompletableFuture<AuthOutcome<Boolean>> running = inFlight.putIfAbsent(attempt, mine);
        if (running == null) {
            running = mine;
            run(attempt, account.map(passwordHash).orElse(null)).whenComplete((outcome, failure) -> {
                inFlight.remove(attempt, mine);
                if (failure != null) {
                    mine.completeExceptionally(failure);
                } else {
                    mine.complete(outcome);
                }
            });
        }
        return running.thenApply(outcome -> forAccount(outcome, account));
    }

    private CompletableFuture<AuthOutcome<Boolean>> run(Attempt attempt, String storedHash) {
        Optional<Duration> wait = throttle.tryReserve(attempt.identity(), attempt.clientAddress());
        if (wait.isPresent()) {
            return CompletableFuture.completedFuture(new AuthOutcome.Throttled<>(wait.get()));
        }
        return hashing.verify(attempt.password(), storedHash, attempt.clientAddress())
                .handle((verified, failure) -> {
                    if (failure == null && verified) {
                        throttle.release(attempt.identity(), attempt.clientAddress());
                        return new AuthOutcome.Accepted<>(true);
                    }
                    if (failure == null) {
                        return new AuthOutcome.Rejected<>(); // the token stays taken: this was a failed guess
                    }
                    throttle.release(attempt.identity(), attempt.clientAddress());
                    Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
                    if (cause instanceof PasswordHashing.Busy busy) {
                        return new AuthOutcome.Busy<>(busy.retryAfter());
                    }
                    throw failure instanceof CompletionException completion
                            ? completion
                            : new CompletionException(failure);
                });
    }

    /** The shared outcome, for one attempt's own account (the same row, read by each attempt for itself). */
    private static <A> AuthOutcome<A> forAccount(AuthOutcome<Boolean> outcome, Optional<A> account) {
        if (outcome instanceof AuthOutcome.Accepted<Boolean> && account.isEmpty()) {
            return new AuthOutcome.Rejected<>(); // the account went away while the check ran
        }
        return outcome.map(verified -> account.orElseThrow());
    }
}
