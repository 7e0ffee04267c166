package io.pocketproxy.bench;

import io.pocketproxy.relay.auth.CustomerAuthenticator;
import io.pocketproxy.relay.auth.Customers;
import io.pocketproxy.relay.auth.FailureThrottle;
import io.pocketproxy.relay.auth.PasswordHashing;
import io.pocketproxy.relay.directory.ChangeHandler;
import io.pocketproxy.relay.directory.ConnectionDirectory;
import io.pocketproxy.relay.directory.ConnectionRecord;
import io.pocketproxy.relay.directory.ConnectionType;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Option;

/**
 * What every proxy connection after the first pays to sign in: the relay's credential check once bcrypt
 * has accepted the password and the verified cache holds it. In this process, no network; ssh -R has no
 * per-connection password to compare with.
 */
final class CachedCredentialCheck implements Figure {

    private static final String USERNAME = "benchuser";
    private static final String PASSWORD = "bench password";

    @Option(
            names = "--auth-checks",
            paramLabel = "N",
            description = "Checks timed, after as many untimed for the JIT (default: ${DEFAULT-VALUE}).")
    int checks = 100_000;

    @Override
    public void validate() {
        Check.atLeast("--auth-checks", checks, 1);
    }

    @Override
    public Table measure(Testbed testbed) {
        try (PasswordHashing hashing = new PasswordHashing(1)) {
            String hash = hashing.hash(PASSWORD).join();
            ConnectionRecord record = new ConnectionRecord(
                    UUID.randomUUID(), USERNAME, hash, ConnectionType.SOCKS5, true, 0, 0, 0, UUID.randomUUID());
            CustomerAuthenticator authenticator = new CustomerAuthenticator(
                    new Customers(new OneConnection(record), Duration.ofMinutes(1), Duration.ofMinutes(10)),
                    hashing,
                    Duration.ofMinutes(10),
                    new FailureThrottle.Limits(10, 50, Duration.ofSeconds(6)),
                    Clock.systemUTC());
            authenticator.authenticate(USERNAME, PASSWORD, "127.0.0.1").join(); // the one bcrypt
            long[] samples = new long[2 * checks];
            for (int i = 0; i < samples.length; i++) {
                long start = System.nanoTime();
                authenticator.authenticate(USERNAME, PASSWORD, "127.0.0.1").join();
                samples[i] = System.nanoTime() - start;
            }
            Latencies measured = new Latencies(Arrays.copyOfRange(samples, checks, samples.length));
            return new Table(
                    "cached credential check",
                    "Cached credential check (" + checks + " checks, in process)",
                    List.of(
                            Table.Row.oursOnly("p50 µs", measured.micros(50), "≤ 50"),
                            Table.Row.oursOnly("p99 µs", measured.micros(99), "")),
                    List.of());
        }
    }

    private record OneConnection(ConnectionRecord record) implements ConnectionDirectory {
        @Override
        public CompletableFuture<Optional<ConnectionRecord>> findByUsername(String username) {
            return CompletableFuture.completedFuture(
                    Optional.of(record).filter(r -> r.username().equals(username)));
        }

        @Override
        public CompletableFuture<Optional<ConnectionRecord>> findById(UUID id) {
            return CompletableFuture.completedFuture(Optional.of(record).filter(r -> r.id().equals(id)));
        }

        @Override
        public AutoCloseable subscribe(ChangeHandler handler) {
            return () -> {};
        }
    }
}
