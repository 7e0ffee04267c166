package io.pocketproxy.server.importing;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.pocketproxy.link.Threads;
import io.pocketproxy.relay.auth.PasswordHashing;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;

/**
 * The slow part of an import: bcrypt for every plaintext (a quarter of a second each at cost 12), and a check of
 * every plaintext that has a hash beside it. Runs on a pool of its own, sized by the caller: all cores when the
 * server is stopped, fewer when it keeps running beside the import and must still check its customers' passwords.
 * The server's {@link PasswordHashing} pools are not used: their queues are bounded for sign-ins, not bulk work.
 */
public final class BulkHashing implements AutoCloseable {

    /** A bcrypt hash the relay can check: version 2a, 2b or 2y, a cost of 4 to 31, 22 + 31 characters of salt and hash. */
    private static final Pattern BCRYPT = Pattern.compile("\\$2[aby]\\$(0[4-9]|[12]\\d|3[01])\\$[./A-Za-z0-9]{53}");

    private final ExecutorService pool;
    private final int threads;
    private final String unusableHash;

    public BulkHashing(int threads) {
        this.threads = threads;
        this.pool = Executors.newFixedThreadPool(threads, Threads.daemon("import-bcrypt"));
        // Stored for rows without a password: a hash of 32 random bytes nobody was ever told, so nothing signs in.
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        this.unusableHash = BCrypt.withDefaults()
                .hashToString(
                        PasswordHashing.COST,
                        Base64.getEncoder().encodeToString(secret).toCharArray());
    }

    public int threads() {
        return threads;
    }

    static boolean isBcrypt(String hash) {
        return hash != null && BCRYPT.matcher(hash).matches();
    }

    /**
     * The hash to store for each row, in the rows' order. With {@code dryRun} no new hash is computed (nothing will
     * be stored), but plaintexts beside a hash are still checked, so the report says exactly which disagree. Rows
     * whose username is in {@code present} are not looked at ({@link PasswordOutcome#DEFERRED}).
     *
     * @throws Interrupted when {@code stop} said so; nothing was stored, so nothing is lost
     */
    public List<ResolvedRow> resolve(
            List<ImportRow> rows,
            java.util.Set<String> present,
            boolean dryRun,
            Progress progress,
            BooleanSupplier stop) {
        progress.start("hashing", rows.size());
        List<Future<ResolvedRow>> futures = new ArrayList<>(rows.size());
        for (ImportRow row : rows) {
            futures.add(
                    present.contains(row.username())
                            ? java.util.concurrent.CompletableFuture.completedFuture(
                                    new ResolvedRow(row, null, PasswordOutcome.DEFERRED))
                            : pool.submit(() -> stop.getAsBoolean() ? null : resolve(row, dryRun)));
        }
        List<ResolvedRow> resolved = new ArrayList<>(rows.size());
        try {
            for (Future<ResolvedRow> future : futures) {
                ResolvedRow row = future.get();
                if (row == null || stop.getAsBoolean()) {
                    throw new Interrupted();
                }
                resolved.add(row);
                progress.advance(resolved.size());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Interrupted();
        } catch (ExecutionException | CancellationException e) {
            throw new IllegalStateException("hashing failed: " + e.getMessage(), e);
        } finally {
            futures.forEach(future -> future.cancel(true));
            progress.finish();
        }
        return resolved;
    }

    private ResolvedRow resolve(ImportRow row, boolean dryRun) {
        if (isBcrypt(row.hash())) {
            if (row.hasPlaintext() && !verifies(row.plaintext(), row.hash())) {
                return new ResolvedRow(row, row.hash(), PasswordOutcome.HASH_OVER_PLAINTEXT);
            }
            return new ResolvedRow(row, row.hash(), PasswordOutcome.KEPT_HASH);
        }
        if (row.hasPlaintext()) {
            String hash = dryRun ? unusableHash : hash(row.plaintext());
            return new ResolvedRow(row, hash, PasswordOutcome.HASHED_PLAINTEXT);
        }
        return new ResolvedRow(row, unusableHash, PasswordOutcome.NONE);
    }

    static String hash(String plaintext) {
        return BCrypt.withDefaults().hashToString(PasswordHashing.COST, plaintext.toCharArray());
    }

    static boolean verifies(String plaintext, String hash) {
        return BCrypt.verifyer().verify(plaintext.toCharArray(), hash.toCharArray()).verified;
    }

    /** Checks each plaintext against its hash on this pool; true where they match. */
    List<Boolean> verifyAll(List<String> plaintexts, List<String> hashes, Progress progress, BooleanSupplier stop) {
        progress.start("verifying", plaintexts.size());
        List<Future<Boolean>> futures = new ArrayList<>();
        for (int i = 0; i < plaintexts.size(); i++) {
            String plaintext = plaintexts.get(i);
            String hash = hashes.get(i);
            futures.add(pool.submit(() -> !stop.getAsBoolean() && isBcrypt(hash) && verifies(plaintext, hash)));
        }
        List<Boolean> verified = new ArrayList<>();
        try {
            for (Future<Boolean> future : futures) {
                verified.add(future.get());
                if (stop.getAsBoolean()) {
                    throw new Interrupted();
                }
                progress.advance(verified.size());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Interrupted();
        } catch (ExecutionException e) {
            throw new IllegalStateException("verifying failed: " + e.getMessage(), e);
        } finally {
            futures.forEach(future -> future.cancel(true));
            progress.finish();
        }
        return verified;
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }

    /** The operator asked the import to stop (Ctrl-C); what was committed stays. */
    public static final class Interrupted extends RuntimeException {
        public Interrupted() {
            super("interrupted", null, false, false);
        }
    }
}
