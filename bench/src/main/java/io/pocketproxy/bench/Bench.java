package io.pocketproxy.bench;

import io.pocketproxy.relay.auth.CustomerAuthenticator;
import io.pocketproxy.relay.auth.Customers;
import io.pocketproxy.relay.auth.FailureThrottle;
import io.pocketproxy.relay.auth.PasswordHashing;
import io.pocketproxy.relay.directory.Change;
import io.pocketproxy.relay.directory.ConnectionDirectory;
import io.pocketproxy.relay.directory.ConnectionRecord;
import io.pocketproxy.testkit.ProxyClients;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * The data-plane benchmark: every figure through relay + agent next to the same figure on the direct
 * path, on this machine, in one run. The relay, the agents and the targets each run in a JVM of their
 * own, as they would in production (and so each stays under the open-file limit).
 *
 * <p>Options: {@code --bulk-mib N} (1024), {@code --clients N} (100), {@code --rounds N} (20),
 * {@code --streams N} (10000), {@code --delayed-mib N} (256), {@code --rtt-ms N} (50), and the relay's link windows
 * {@code --stream-window-mib N} (16) and {@code --link-window-mib N} (64).
 */
public final class Bench {

    private final int bulkMib;
    private final int clients;
    private final int rounds;
    private final int streams;
    private final int delayedMib;
    private final int rttMillis;
    private final int streamWindowMib;
    private final int linkWindowMib;

    private Bench(
            int bulkMib,
            int clients,
            int rounds,
            int streams,
            int delayedMib,
            int rttMillis,
            int streamWindowMib,
            int linkWindowMib) {
        this.bulkMib = bulkMib;
        this.clients = clients;
        this.rounds = rounds;
        this.streams = streams;
        this.delayedMib = delayedMib;
        this.rttMillis = rttMillis;
        this.streamWindowMib = streamWindowMib;
        this.linkWindowMib = linkWindowMib;
    }

    public static void main(String[] args) throws Exception {
        Bench bench = new Bench(
                option(args, "--bulk-mib", 1024),
                option(args, "--clients", 100),
                option(args, "--rounds", 20),
                option(args, "--streams", 10_000),
                option(args, "--delayed-mib", 256),
                option(args, "--rtt-ms", 50),
                option(args, "--stream-window-mib", 16),
                option(args, "--link-window-mib", 64));
        bench.run();
    }

    /** One device's connections: SOCKS5 for the bulk and idle figures, HTTP CONNECT for time to first byte. */
    private record Proxy(
            int socksPort, String username, String password, int httpPort, String httpUsername, String httpPassword) {}

    private void run() throws Exception {
        System.out.printf(
                "PocketProxy data-plane benchmark: %d cores, Java %s, %s%n%n",
                Runtime.getRuntime().availableProcessors(), Runtime.version(), System.getProperty("os.name"));
        try (Child targets = Child.start(TargetHost.class, "1g");
                Child relay = Child.start(
                        RelayHost.class, "2g", Integer.toString(streamWindowMib), Integer.toString(linkWindowMib))) {
            String[] ports = targets.readLine().split(" ");
            int source = Integer.parseInt(ports[1]);
            int echo = Integer.parseInt(ports[2]);
            String[] direct = relay.readLine().split(" ");
            String[] delayed = relay.readLine().split(" ");
            String[] relayPorts = relay.readLine().split(" ");
            int httpPort = Integer.parseInt(relayPorts[1]);
            int socksPort = Integer.parseInt(relayPorts[2]);
            int linkPort = Integer.parseInt(relayPorts[3]);
            Proxy viaDevice = new Proxy(socksPort, direct[3], direct[4], httpPort, direct[5], direct[6]);
            Proxy viaDelayedDevice = new Proxy(socksPort, delayed[3], delayed[4], httpPort, delayed[5], delayed[6]);
            Duration oneWay = Duration.ofMillis(rttMillis / 2);
            try (DelayLine linkDelay = DelayLine.start(linkPort, oneWay);
                    DelayLine targetDelay = DelayLine.start(source, oneWay);
                    Child agent = Child.start(AgentHost.class, "2g", direct[2]);
                    Child delayedAgent =
                            Child.start(AgentHost.class, "1g", delayed[2], "127.0.0.1:" + linkDelay.port())) {
                expectLinked(agent);
                expectLinked(delayedAgent);

                bulk(source, viaDevice);
                timeToFirstByte(source, viaDevice);
                idleStreams(echo, viaDevice, relay, agent);
                delayedBulk(source, targetDelay.port(), viaDelayedDevice);
            }
        }
        cachedAuthentication();
        BcryptBench.main(new String[0]);
    }

    private static void expectLinked(Child agent) {
        String line = agent.readLine();
        if (!line.equals("linked")) {
            throw new IllegalStateException("agent did not link: " + line);
        }
    }

    // 1. One stream's bulk throughput.
    private void bulk(int source, Proxy proxy) throws IOException {
        long bytes = (long) bulkMib << 20;
        // Warm-up: the JIT compiles the data path during the first few hundred MB.
        download(() -> direct(source), 512L << 20);
        download(() -> proxied(proxy, source), 512L << 20);
        double direct = download(() -> direct(source), bytes);
        double proxied = download(() -> proxied(proxy, source), bytes);
        System.out.printf(
                "1. Bulk throughput, one stream, %d MiB: direct %.0f MB/s, relay+agent %.0f MB/s, ratio %.2f (goal >= 0.5)%n",
                bulkMib, direct, proxied, proxied / direct);
    }

    // 4. The same with a cellular round trip on the device link (and on the direct path).
    private void delayedBulk(int source, int delayedSource, Proxy proxy) throws IOException {
        long bytes = (long) delayedMib << 20;
        download(() -> direct(delayedSource), 32L << 20);
        download(() -> proxied(proxy, source), 32L << 20);
        double direct = download(() -> direct(delayedSource), bytes);
        double proxied = download(() -> proxied(proxy, source), bytes);
        System.out.printf(
                "4. Bulk at %d ms RTT (delay line), %d MiB, link windows %d/%d MiB: direct %.0f MB/s, relay+agent %.0f MB/s,"
                        + " ratio %.2f (goal >= 0.8)%n",
                rttMillis, delayedMib, streamWindowMib, linkWindowMib, direct, proxied, proxied / direct);
    }

    interface Opener {
        Socket open() throws IOException;
    }

    /** MB/s of one download of {@code bytes} from the source. */
    private static double download(Opener opener, long bytes) throws IOException {
        long start = System.nanoTime();
        try (Socket socket = opener.open()) {
            new DataOutputStream(socket.getOutputStream()).writeLong(bytes);
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[256 * 1024];
            long received = 0;
            while (received < bytes) {
                int n = in.read(buffer);
                if (n < 0) {
                    throw new IOException("source ended after " + received + " of " + bytes + " bytes");
                }
                received += n;
            }
        }
        return bytes / 1e6 / ((System.nanoTime() - start) / 1e9);
    }

    // 2. Time to first byte with many clients at once.
    private void timeToFirstByte(int source, Proxy proxy) throws Exception {
        firstBytes(() -> direct(source), 10);
        firstBytes(() -> connected(proxy, source), 10);
        long[] direct = firstBytes(() -> direct(source), rounds);
        long[] proxied = firstBytes(() -> connected(proxy, source), rounds);
        System.out.printf(
                "2. Time to first byte (HTTP CONNECT), %d clients x %d: direct p50 %.2f ms p99 %.2f ms; relay+agent p50 %.2f ms p99 %.2f ms;"
                        + " p50 overhead %.2f ms (goal <= 1 ms)%n",
                clients,
                rounds,
                ms(percentile(direct, 50)),
                ms(percentile(direct, 99)),
                ms(percentile(proxied, 50)),
                ms(percentile(proxied, 99)),
                ms(percentile(proxied, 50) - percentile(direct, 50)));
    }

    private long[] firstBytes(Opener opener, int roundsPerClient) throws Exception {
        List<Long> samples = Collections.synchronizedList(new ArrayList<>());
        try (ExecutorService pool = Executors.newFixedThreadPool(clients)) {
            List<Future<?>> work = new ArrayList<>();
            for (int client = 0; client < clients; client++) {
                work.add(pool.submit(() -> {
                    for (int round = 0; round < roundsPerClient; round++) {
                        long start = System.nanoTime();
                        try (Socket socket = opener.open()) {
                            new DataOutputStream(socket.getOutputStream()).writeLong(1);
                            if (socket.getInputStream().read() < 0) {
                                throw new IOException("no first byte");
                            }
                            samples.add(System.nanoTime() - start);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> future : work) {
                future.get();
            }
        }
        return samples.stream().mapToLong(Long::longValue).sorted().toArray();
    }

    // 3. Many idle streams over one link: do they all stay up, and what does each cost?
    private void idleStreams(int echo, Proxy proxy, Child relay, Child agent) throws Exception {
        long relayBefore = relay.heapUsed();
        long agentBefore = agent.heapUsed();
        List<Socket> tunnels = Collections.synchronizedList(new ArrayList<>());
        try (ExecutorService pool = Executors.newFixedThreadPool(16)) {
            List<Future<?>> work = new ArrayList<>();
            for (int worker = 0; worker < 16; worker++) {
                int share = streams / 16 + (worker < streams % 16 ? 1 : 0);
                work.add(pool.submit(() -> {
                    for (int i = 0; i < share; i++) {
                        tunnels.add(proxied(proxy, echo));
                    }
                    return null;
                }));
            }
            for (Future<?> future : work) {
                future.get();
            }
        }
        long relayAfter = relay.heapUsed();
        long agentAfter = agent.heapUsed();
        int alive = 0;
        for (Socket tunnel : tunnels) {
            try {
                tunnel.getOutputStream().write(42);
                if (tunnel.getInputStream().read() == 42) {
                    alive++;
                }
            } catch (IOException e) {
                // counted as down
            }
        }
        for (Socket tunnel : tunnels) {
            tunnel.close();
        }
        double relayPerStream = (relayAfter - relayBefore) / (double) streams / 1024;
        double agentPerStream = (agentAfter - agentBefore) / (double) streams / 1024;
        System.out.printf(
                "3. %d idle streams over one link: %d of %d still up; heap per stream: relay %.1f KiB + agent %.1f KiB"
                        + " = %.1f KiB (goal <= 16 KiB)%n",
                streams, alive, streams, relayPerStream, agentPerStream, relayPerStream + agentPerStream);
    }

    // 5. A customer connection whose password bcrypt already accepted.
    private static void cachedAuthentication() {
        try (PasswordHashing hashing = new PasswordHashing(1)) {
            String hash = hashing.hash("bench password").join();
            ConnectionRecord record =
                    new ConnectionRecord(UUID.randomUUID(), "benchuser", hash, true, 0, 0, 0, UUID.randomUUID());
            ConnectionDirectory directory = new InMemoryDirectory(record);
            CustomerAuthenticator authenticator = new CustomerAuthenticator(
                    new Customers(directory, Duration.ofMinutes(1)),
                    hashing,
                    Duration.ofMinutes(10),
                    new FailureThrottle.Limits(10, 50, Duration.ofSeconds(6)),
                    Clock.systemUTC());
            authenticator
                    .authenticate("benchuser", "bench password", "127.0.0.1")
                    .join(); // the one bcrypt
            int iterations = 200_000;
            long[] samples = new long[iterations];
            for (int i = 0; i < iterations; i++) {
                long start = System.nanoTime();
                authenticator
                        .authenticate("benchuser", "bench password", "127.0.0.1")
                        .join();
                samples[i] = System.nanoTime() - start;
            }
            long[] measured = Arrays.copyOfRange(samples, iterations / 2, iterations); // after JIT warm-up
            Arrays.sort(measured);
            System.out.printf(
                    "5. Cached credential check: p50 %.1f us, p99 %.1f us (goal <= 50 us)%n",
                    percentile(measured, 50) / 1e3, percentile(measured, 99) / 1e3);
        }
    }

    private record InMemoryDirectory(ConnectionRecord record) implements ConnectionDirectory {
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
        public AutoCloseable subscribe(Consumer<Change> listener) {
            return () -> {};
        }
    }

    private static Socket direct(int port) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setTcpNoDelay(true);
        return socket;
    }

    private static Socket proxied(Proxy proxy, int port) throws IOException {
        ProxyClients.SocksResult result =
                ProxyClients.socks5(proxy.socksPort(), proxy.username(), proxy.password(), "127.0.0.1", port);
        if (result.reply() != 0) {
            throw new IOException("SOCKS5 reply " + result.reply());
        }
        result.socket().setTcpNoDelay(true);
        result.socket().setSoTimeout(120_000);
        return result.socket();
    }

    private static Socket connected(Proxy proxy, int port) throws IOException {
        ProxyClients.HttpHead answer =
                ProxyClients.connect(proxy.httpPort(), proxy.httpUsername(), proxy.httpPassword(), "127.0.0.1:" + port);
        if (answer.status() != 200) {
            throw new IOException("CONNECT answered " + answer.status());
        }
        answer.socket().setTcpNoDelay(true);
        return answer.socket();
    }

    private static long percentile(long[] sorted, int percent) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(percent / 100.0 * sorted.length) - 1)];
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    static int option(String[] args, String name, int fallback) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return Integer.parseInt(args[i + 1]);
            }
        }
        return fallback;
    }
}
