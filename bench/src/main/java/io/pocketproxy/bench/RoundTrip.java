package io.pocketproxy.bench;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Interactive traffic inside an open tunnel (SSH sessions, websockets, games through the proxy): one
 * tunnel to the echo target, then a small message there and back, again and again, one at a time. p50 and
 * p99 of one round's messages in microseconds, median over the rounds.
 */
final class RoundTrip implements Figure {

    @Option(
            names = "--rtt-messages",
            paramLabel = "N",
            description = "Messages timed per route and round, after " + WARM_UP_MESSAGES + " untimed"
                    + " (default: ${DEFAULT-VALUE}).")
    int messages = 5_000;

    /**
     * Untimed messages first on each tunnel: enough for the JIT to compile the data path (a tunnel in service
     * carries millions). With a thousand, compilations still ran during the timed messages and made the tail.
     */
    private static final int WARM_UP_MESSAGES = 20_000;

    @Option(
            names = "--rtt-bytes",
            paramLabel = "BYTES",
            description = "Size of each message (default: ${DEFAULT-VALUE}).")
    int bytes = 100;

    @Override
    public void validate() {
        Check.atLeast("--rtt-messages", messages, 1);
        Check.atLeast("--rtt-bytes", bytes, 1);
    }

    @Override
    public Table measure(Testbed testbed) throws Exception {
        int echo = testbed.targets().echo();
        Rounds rounds = Rounds.run("rtt", testbed.options().rounds, testbed.routes(), route -> {
            Latencies latencies = roundTrips(route, echo);
            Map<String, Double> metrics = new LinkedHashMap<>();
            metrics.put("p50 µs", latencies.micros(50));
            metrics.put("p99 µs", latencies.micros(99));
            return metrics;
        });
        List<Table.Row> rows = new ArrayList<>();
        rows.add(rounds.row("p50 µs", "ours ≤ ssh -R"));
        rows.add(rounds.row("p99 µs", "ours ≤ 2 × ssh -R"));
        return new Table(
                "in-tunnel round trip",
                "Round trip of a " + bytes + "-byte message inside an open tunnel (" + messages
                        + " messages per round, " + Rounds.caption(testbed.options().rounds) + ")",
                rows,
                List.of());
    }

    private Latencies roundTrips(Route route, int echo) throws IOException {
        byte[] message = new byte[bytes];
        byte[] answer = new byte[bytes];
        long[] samples = new long[messages];
        try (Socket socket = route.open(echo)) {
            OutputStream out = socket.getOutputStream();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            for (int i = -WARM_UP_MESSAGES; i < messages; i++) {
                message[0] = (byte) i;
                long start = System.nanoTime();
                out.write(message);
                in.readFully(answer);
                long elapsed = System.nanoTime() - start;
                if (answer[0] != message[0]) {
                    throw new IOException(route.name() + ": the echo of message " + i + " came back changed");
                }
                if (i >= 0) {
                    samples[i] = elapsed;
                }
            }
        }
        return new Latencies(samples);
    }
}
