package io.pocketproxy.relay.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * Slows down password guessing without locking anyone out: attempts drain a token bucket per identity (a
 * dashboard email; a proxy username at one client address) and one per client address, and an empty bucket turns
 * further attempts away until it refills. An attempt takes its token when its check starts ({@link #tryReserve}),
 * so parallel guesses cannot all be checked before the first failure is counted; a success, or a check that
 * could not be made, gives the token back ({@link #release}). So at most the limit of checks is ever in flight
 * or done per window, and successful attempts cost nothing.
 *
 * <p>Buckets live in a bounded cache, so a flood of made-up identities cannot grow memory without limit.
 */
public final class FailureThrottle {

    /** How many failures a bucket absorbs, and how fast it forgives them (one attempt per {@code refillEvery}). */
    public record Limits(int failuresPerIdentity, int failuresPerAddress, Duration refillEvery) {

        public Limits {
            if (failuresPerIdentity < 1 || failuresPerAddress < 1 || refillEvery.isNegative() || refillEvery.isZero()) {
                throw new IllegalArgumentException("throttle limits: " + failuresPerIdentity + ", " + failuresPerAddress
                        + " per " + refillEvery + " (expected: positive)");
            }
        }
    }

    private final Limits limits;
    private final TimeMeter time;
    private final Cache<String, Bucket> buckets;

    public FailureThrottle(Limits limits, Clock clock) {
        this.limits = limits;
        this.time = new ClockTimeMeter(clock);
        this.buckets = Caffeine.newBuilder()
                .maximumSize(100_000)
                .expireAfterAccess(limits.refillEvery()
                        .multipliedBy(Math.max(limits.failuresPerIdentity(), limits.failuresPerAddress())))
                .build();
    }

    /** How long the caller must wait before trying again, if it must; takes nothing. */
    public Optional<Duration> waitBeforeAttempt(String identity, String address) {
        long waitNanos = Math.max(nanosToWait(identityBucket(identity)), nanosToWait(addressBucket(address)));
        return waitNanos > 0 ? Optional.of(Duration.ofNanos(waitNanos)) : Optional.empty();
    }

    /**
     * Counts an attempt that is about to be checked: empty when both buckets had a token (the attempt may go
     * on), else how long to wait, and nothing is taken.
     */
    public Optional<Duration> tryReserve(String identity, String address) {
        Bucket identityBucket = identityBucket(identity);
        Bucket addressBucket = addressBucket(address);
        if (!identityBucket.tryConsume(1)) {
            return waitBeforeAttempt(identity, address).or(() -> Optional.of(limits.refillEvery()));
        }
        if (!addressBucket.tryConsume(1)) {
            identityBucket.addTokens(1);
            return waitBeforeAttempt(identity, address).or(() -> Optional.of(limits.refillEvery()));
        }
        return Optional.empty();
    }

    /** The reserved attempt succeeded, or could not be checked: it does not count as a failure. */
    public void release(String identity, String address) {
        identityBucket(identity).addTokens(1);
        addressBucket(address).addTokens(1);
    }

    private static long nanosToWait(Bucket bucket) {
        return bucket.getAvailableTokens() > 0
                ? 0
                : bucket.estimateAbilityToConsume(1).getNanosToWaitForRefill();
    }

    private Bucket identityBucket(String identity) {
        String key = "identity:" + (identity == null ? "" : identity.strip().toLowerCase(Locale.ROOT));
        return buckets.get(key, ignored -> newBucket(limits.failuresPerIdentity()));
    }

    private Bucket addressBucket(String address) {
        return buckets.get("address:" + address, ignored -> newBucket(limits.failuresPerAddress()));
    }

    private Bucket newBucket(int capacity) {
        return Bucket.builder()
                .addLimit(Bandwidth.builder()
                        .capacity(capacity)
                        .refillGreedy(1, limits.refillEvery())
                        .build())
                .withCustomTimePrecision(time)
                .build();
    }

    /** Bucket4j's clock, driven by ours so that tests can move time. */
    private record ClockTimeMeter(Clock clock) implements TimeMeter {
        @Override
        public long currentTimeNanos() {
            java.time.Instant now = clock.instant();
            return now.getEpochSecond() * 1_000_000_000L + now.getNano();
        }

        @Override
        public boolean isWallClockBased() {
            return true;
        }
    }
}
