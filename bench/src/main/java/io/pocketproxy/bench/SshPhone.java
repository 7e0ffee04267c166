package io.pocketproxy.bench;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;

/**
 * The peer's phone: {@code ssh -N -R 0}, reverse dynamic forwarding. sshd opens a port on its side (the
 * ssh client prints which) and carries each connection to it over the SSH connection to this client, which
 * speaks SOCKS5 (no authentication) and dials the destination.
 */
final class SshPhone implements AutoCloseable {

    private static final Pattern ALLOCATED = Pattern.compile("Allocated port (\\d+) for remote forward");
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(20);

    private final TiedProcess ssh;
    private final int socksPort;

    private SshPhone(TiedProcess ssh, int socksPort) {
        this.ssh = ssh;
        this.socksPort = socksPort;
    }

    static SshPhone start(TiedProcess ssh) {
        try {
            long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
            int socksPort =
                    Integer.parseInt(ssh.awaitLine(ALLOCATED, READY_TIMEOUT).group(1));
            // The port is listening once ssh says so; polling the greeting proves the whole way answers:
            // sshd's listener, the channel to the client, and the client's SOCKS5.
            while (!Socks5.greets(socksPort)) {
                if (!ssh.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("ssh -R gave port " + socksPort
                            + " but no SOCKS5 greeting came back within " + READY_TIMEOUT + "; ssh said: "
                            + ssh.lastLines());
                }
                LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
            }
            return new SshPhone(ssh, socksPort);
        } catch (RuntimeException e) {
            ssh.close();
            throw e;
        }
    }

    /** The SOCKS5 proxy on the sshd side that exits through this phone. */
    int socksPort() {
        return socksPort;
    }

    List<ProcessHandle> processes() {
        return ssh.tree();
    }

    /** The ssh client alone, without the shell that ties it to the bench. */
    Optional<ProcessHandle> client() {
        return ssh.command();
    }

    @Override
    public void close() {
        ssh.close();
    }
}
