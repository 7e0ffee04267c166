package io.pocketproxy.relay.auth;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.pocketproxy.link.Threads;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * bcrypt on its own small pool. A check costs about a quarter of a second of CPU at cost 12, so it must
 * never run on an event loop or hold a request thread; callers get a future instead.
 *
 * <p>The pool and its queue are bounded: when login storms or credential stuffing fill the queue, new
 * work is refused at once ({@link java.util.concurrent.RejectedExecutionException}) rather than queued
 * without limit.
 */
public final class PasswordHashing implements AutoCloseable {

    /** The work factor of every hash we create. Existing hashes carry their own cost. */
    public static final int COST = 12;

    /** bcrypt reads at most 72 bytes; longer passwords would be silently truncated, so we refuse them. */
    public static final int MAX_PASSWORD_BYTES = 72;

    private static final int QUEUE_CAPACITY = 1024;

    private final ThreadPoolExecutor pool;
    private final LongAdder checks = new LongAdder();
    private volatile String dummyHash;

    public PasswordHashing(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads: " + threads + " (expected: > 0)");
        }
        this.pool = new ThreadPoolExecutor(
                threads,
                threads,
                0,
                TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(QUEUE_CAPACITY),
                Threads.daemon("bcrypt"),
                new ThreadPoolExecutor.AbortPolicy());
        // Computed ahead so that the first check of an unknown account is not slower than the rest.
        pool.execute(this::dummyHash);
    }

    /** One thread per two cores, at least one: bcrypt must not starve the rest of the process. */
    public static PasswordHashing withDefaultPool() {
        return new PasswordHashing(Math.max(1, Runtime.getRuntime().availableProcessors() / 2));
    }

    /** Whether bcrypt can take this password whole. */
    public static boolean fitsBcrypt(String password) {
        return password.getBytes(StandardCharsets.UTF_8).length <= MAX_PASSWORD_BYTES;
    }

    public CompletableFuture<String> hash(String password) {
        requireFits(password);
        return CompletableFuture.supplyAsync(
                () -> BCrypt.withDefaults().hashToString(COST, password.toCharArray()), pool);
    }

    /**
     * Checks a password against a stored hash. A missing hash ({@code null}) still costs a full check
     * against a dummy hash, so the answer takes as long for an unknown account as for a known one.
     */
    public CompletableFuture<Boolean> verify(String password, String storedHash) {
        if (!fitsBcrypt(password)) {
            return CompletableFuture.completedFuture(false);
        }
        return CompletableFuture.supplyAsync(
                () -> {
                    checks.increment();
                    String hash = storedHash != null ? storedHash : dummyHash();
                    boolean verified = BCrypt.verifyer().verify(password.toCharArray(), hash.toCharArray()).verified;
                    return verified && storedHash != null;
                },
                pool);
    }

    /** How many password checks have run, for metrics and for tests that must see a check happen. */
    public long checks() {
        return checks.sum();
    }

    public int queued() {
        return pool.getQueue().size();
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
