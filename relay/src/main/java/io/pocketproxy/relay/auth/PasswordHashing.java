package io.pocketproxy.relay.auth;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.pocketproxy.link.Threads;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * bcrypt on its own small pool. A check costs about a quarter of a second of CPU at cost 12, so it must
 * never run on an event loop or hold a request thread; callers get a future instead.
 *
 * <p>The queue in front of the pool is bounded, in all and per client address ({@link Queue}): when it is full a
 * new job is refused at once with {@link Busy}, which says when to try again, rather than queued behind work that
 * anyone can add. Customers and operators get pools of their own, so that a flood of proxy sign-ins cannot delay
 * a dashboard sign-in.
 */
public final class PasswordHashing implements AutoCloseable {

    /** The work factor of every hash we create. Existing hashes carry their own cost. */
    public static final int COST = 12;

    /** bcrypt reads at most 72 bytes; longer passwords would be silently truncated, so we refuse them. */
    public static final int MAX_PASSWORD_BYTES = 72;

    /**
     * How many jobs may wait for a hashing thread: in all, and those asked for by one client address. The threads'
     * own jobs do not count. At a quarter of a second per check and one thread, 64 waiting jobs are 16 s of work:
     * beyond that a client is better told to come back than kept waiting.
     */
    public record Queue(int overall, int perAddress) {

        public static final Queue DEFAULT = new Queue(64, 16);

        public Queue {
            if (overall < 1) {
                throw new IllegalArgumentException("auth-queue: " + overall + " (expected: > 0)");
            }
            if (perAddress < 1 || perAddress > overall) {
                throw new IllegalArgumentException(
                        "auth-queue-per-address: " + perAddress + " (expected: 1 to auth-queue, " + overall + ")");
            }
        }
    }

    /** The job was not queued because the queue is full; nothing was checked. */
    public static final class Busy extends RuntimeException {

        private final Duration retryAfter;

        public Busy(Duration retryAfter) {
            super(
                    "too many password checks are waiting; try again in " + RetryAfter.seconds(retryAfter) + " s",
                    null,
                    false,
                    false);
            this.retryAfter = retryAfter;
        }

        /** About when the queue will have room again. */
        public Duration retryAfter() {
            return retryAfter;
        }
    }

    private static final Duration COST_ESTIMATE = Duration.ofMillis(250);

    private final int threads;
    private final Queue queue;
    private final ThreadPoolExecutor pool;
    private final AtomicInteger admitted = new AtomicInteger();
    private final Map<String, Integer> admittedByAddress = new ConcurrentHashMap<>();
    private final LongAdder checks = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private volatile long lastJobNanos = COST_ESTIMATE.toNanos();
    private volatile String dummyHash;

    public PasswordHashing(int threads) {
        this(threads, Queue.DEFAULT);
    }

    public PasswordHashing(int threads, Queue queue) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads: " + threads + " (expected: > 0)");
        }
        this.threads = threads;
        this.queue = queue;
        // Unbounded here because admit() bounds it; the executor's own bound could not tell addresses apart.
        this.pool = new ThreadPoolExecutor(
                threads,
                threads,
                0,
                TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(),
                Threads.daemon("bcrypt"),
                new ThreadPoolExecutor.AbortPolicy());
        // Computed ahead so that the first check of an unknown account is not slower than the rest.
        pool.execute(this::dummyHash);
    }

    /** One thread per two cores, at least one: bcrypt must not starve the rest of the process. */
    public static PasswordHashing withDefaultPool(Queue queue) {
        return new PasswordHashing(Math.max(1, Runtime.getRuntime().availableProcessors() / 2), queue);
    }

    /** Whether bcrypt can take this password whole. */
    public static boolean fitsBcrypt(String password) {
        return password.getBytes(StandardCharsets.UTF_8).length <= MAX_PASSWORD_BYTES;
    }

    /** A new hash of {@code password}; fails with {@link Busy} when the queue is full. */
    public CompletableFuture<String> hash(String password) {
        requireFits(password);
        return submit(null, () -> BCrypt.withDefaults().hashToString(COST, password.toCharArray()));
    }

    public CompletableFuture<Boolean> verify(String password, String storedHash) {
        return verify(password, storedHash, null);
    }

    /**
     * Checks a password against a stored hash, as asked by {@code clientAddress} (null: not on behalf of a client).
     * A missing hash ({@code null}) still costs a full check against a dummy hash, so the answer takes as long
     * for an unknown account as for a known one. Fails with {@link Busy} when the queue, in all or for this
     * address, is full.
     */
    public CompletableFuture<Boolean> verify(String password, String storedHash, String clientAddress) {
        if (!fitsBcrypt(password)) {
            return CompletableFuture.completedFuture(false);
        }
        return submit(clientAddress, () -> {
            checks.increment();
            String hash = storedHash != null ? storedHash : dummyHash();
            boolean verified = BCrypt.verifyer().verify(password.toCharArray(), hash.toCharArray()).verified;
            return verified && storedHash != null;
        });
    }

    /** How many password checks have run, for metrics and for tests that must see a check happen. */
    public long checks() {
        return checks.sum();
    }

    /** How many jobs were refused because the queue was full. */
    public long refused() {
        return refused.sum();
    }

    /** Jobs waiting for a thread. */
    public int queued() {
        return pool.getQueue().size();
    }

    private <T> CompletableFuture<T> submit(String clientAddress, Supplier<T> job) {
        if (!admit(clientAddress)) {
            refused.increment();
            return CompletableFuture.failedFuture(new Busy(retryAfter()));
        }
        try {
            return CompletableFuture.supplyAsync(
                    () -> {
                        long start = System.nanoTime();
                        try {
                            return job.get();
                        } finally {
                            lastJobNanos = System.nanoTime() - start;
                            leave(clientAddress);
                        }
                    },
                    pool);
        } catch (RejectedExecutionException closed) {
            leave(clientAddress);
            return CompletableFuture.failedFuture(closed);
        }
    }

    /** Takes a place in the queue, if there is one: in all, and for this address. */
    private boolean admit(String clientAddress) {
        if (admitted.incrementAndGet() > queue.overall() + threads) {
            admitted.decrementAndGet();
            return false;
        }
        if (clientAddress == null) {
            return true;
        }
        boolean[] placed = {false};
        admittedByAddress.compute(clientAddress, (address, count) -> {
            int now = count == null ? 0 : count;
            if (now >= queue.perAddress()) {
                return count;
            }
            placed[0] = true;
            return now + 1;
        });
        if (!placed[0]) {
            admitted.decrementAndGet();
        }
        return placed[0];
    }

    private void leave(String clientAddress) {
        admitted.decrementAndGet();
        if (clientAddress != null) {
            admittedByAddress.computeIfPresent(clientAddress, (address, count) -> count <= 1 ? null : count - 1);
        }
    }

    /** The time the jobs admitted now take to run, at the last job's pace; at least a second. */
    private Duration retryAfter() {
        long nanos = (long) admitted.get() * lastJobNanos / threads;
        return Duration.ofSeconds(Math.max(1, TimeUnit.NANOSECONDS.toSeconds(nanos + 999_999_999L)));
    }

    private String dummyHash() {
        String hash = dummyHash;
        if (hash == null) {
            // A hash of a random value at our own cost: nobody knows a password that matches it.
            hash = BCrypt.withDefaults()
                    .hashToString(COST, UUID.randomUUID().toString().toCharArray());
            dummyHash = hash;
        }
        return hash;
    }

    private static void requireFits(String password) {
        if (!fitsBcrypt(password)) {
            throw new IllegalArgumentException("password longer than " + MAX_PASSWORD_BYTES + " bytes");
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
