package io.pocketproxy.relay;

import io.pocketproxy.relay.auth.AuthOutcome;
import io.pocketproxy.relay.auth.CustomerAuthenticator;
import io.pocketproxy.relay.auth.Customers;
import io.pocketproxy.relay.auth.FailureThrottle;
import io.pocketproxy.relay.auth.PasswordHashing;
import io.pocketproxy.relay.directory.InMemoryDirectory;
import io.pocketproxy.relay.link.DeviceLinks;
import io.pocketproxy.relay.metering.Meters;
import io.pocketproxy.relay.tunnel.Tunnels;
import java.time.Clock;
import java.time.Duration;

/**
 * The relay's customer-facing parts over an {@link InMemoryDirectory}: the real authenticator (with a small
 * failure throttle so tests can reach it), meters and tunnel hand-off in front of the given device links.
 */
public final class RelayParts implements AutoCloseable {

    /** Failures a client may make before it is throttled: per username and address, and per address. */
    public static final FailureThrottle.Limits LIMITS = new FailureThrottle.Limits(3, 5, Duration.ofMinutes(1));

    private final InMemoryDirectory directory = new InMemoryDirectory();
    private final PasswordHashing hashing = new PasswordHashing(1);
    private final Meters meters = new Meters(directory, Duration.ofMinutes(1));
    private final CustomerAuthenticator authenticator;
    private final Tunnels tunnels;

    public RelayParts(DeviceLinks links, int maxStreamsPerConnection, Duration idleTimeout) {
        this.authenticator = new CustomerAuthenticator(
                new Customers(directory, Duration.ofMinutes(1), Duration.ofMinutes(10)),
                hashing,
                Duration.ofMinutes(10),
                LIMITS,
                Clock.systemUTC());
        this.tunnels = new Tunnels(links, meters, maxStreamsPerConnection, idleTimeout);
    }

    public InMemoryDirectory directory() {
        return directory;
    }

    public CustomerAuthenticator authenticator() {
        return authenticator;
    }

    public Meters meters() {
        return meters;
    }

    public Tunnels tunnels() {
        return tunnels;
    }

    /**
     * Signs {@code username} in once, so that its next sign-in is answered from the verified cache without
     * leaving the caller's thread (what tests on an {@code EmbeddedChannel} need).
     */
    public void signInOnce(String username, String password) {
        AuthOutcome<?> outcome =
                authenticator.authenticate(username, password, "198.51.100.1").join();
        if (!(outcome instanceof AuthOutcome.Accepted<?>)) {
            throw new AssertionError("signing in " + username + " answered " + outcome);
        }
    }

    @Override
    public void close() {
        meters.close();
        hashing.close();
    }
}
