package io.pocketproxy.relay.auth;

import java.time.Duration;
import java.util.function.Function;

/**
 * How a sign-in ended, for a customer ({@code A} = the connection it signed in as) or an operator ({@code A} =
 * the user).
 */
public sealed interface AuthOutcome<A> {

    record Accepted<A>(A account) implements AuthOutcome<A> {}

    /** Wrong username or password: the same answer for both. */
    record Rejected<A>() implements AuthOutcome<A> {}

    /** Too many failures from this client or for this identity; try again after {@code retryAfter}. */
    record Throttled<A>(Duration retryAfter) implements AuthOutcome<A> {}

    /**
     * Too many password checks are waiting (overall or from this client address): the check was not queued. Not a
     * failure of the client's: it may try again after {@code retryAfter}.
     */
    record Busy<A>(Duration retryAfter) implements AuthOutcome<A> {}

    /**
     * The check could not be made (storage unreachable): not the customer's fault, so neither a rejection nor a
     * throttled failure.
     */
    record Unavailable<A>() implements AuthOutcome<A> {}

    /** The same outcome, with an accepted account turned into another (the rest carry no account). */
    default <B> AuthOutcome<B> map(Function<? super A, ? extends B> account) {
        return switch (this) {
            case Accepted<A> accepted -> new Accepted<>(account.apply(accepted.account()));
            case Rejected<A> rejected -> new Rejected<>();
            case Throttled<A> throttled -> new Throttled<>(throttled.retryAfter());
            case Busy<A> busy -> new Busy<>(busy.retryAfter());
            case Unavailable<A> unavailable -> new Unavailable<>();
        };
    }
}
