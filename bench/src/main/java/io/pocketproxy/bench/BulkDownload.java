package io.pocketproxy.bench;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * One stream's download throughput: a new tunnel to the source, which sends {@code --bulk-mib} down it;
 * MB/s from opening the tunnel to the last byte.
 */
final class BulkDownload implements Figure {

    private static final long WARM_UP_BYTES = 256L << 20; // the JIT compiles the data path meanwhile

    @Option(
            names = "--bulk-mib",
            paramLabel = "MiB",
            description = "Size of each download (default: ${DEFAULT-VALUE}); one warm-up download per route first"
                    + " (at most 256 MiB).")
    int mib = 512;

    @Override
    public void validate() {
        Check.atLeast("--bulk-mib", mib, 1);
    }

    @Override
    public Table measure(Testbed testbed) throws Exception {
        int source = testbed.targets().source();
        List<Route> routes = testbed.routesWithForwarded();
        long bytes = (long) mib << 20;
        for (Route route : routes) {
            download(route, source, Math.min(bytes, WARM_UP_BYTES));
        }
        Rounds rounds = Rounds.run(
                "bulk", testbed.options().rounds, routes, route -> Map.of("MB/s", download(route, source, bytes)));
        return new Table(
                "bulk download",
                "Bulk download, one stream, " + mib + " MiB (" + Rounds.caption(testbed.options().rounds) + ")",
                rowsOf(
                        rounds.row("MB/s", "≥ 1.5 × ssh -R; ≥ 0.5 × direct (stretch)"),
                        rounds.forwardedRow("MB/s", "MB/s, forwarded (in at relay A, device on B)")),
                List.of());
    }

    /** The rows that were measured (a forwarded row is null when its route was not run). */
    static List<Table.Row> rowsOf(Table.Row... rows) {
        return java.util.Arrays.stream(rows).filter(java.util.Objects::nonNull).toList();
    }

    /** MB/s of one download of {@code bytes} from the source over the route. */
    static double download(Route route, int source, long bytes) throws IOException {
        long start = System.nanoTime();
        try (Socket socket = route.open(source)) {
            new DataOutputStream(socket.getOutputStream()).writeLong(bytes);
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[256 * 1024];
            long received = 0;
            while (received < bytes) {
                int n = in.read(buffer);
                if (n < 0) {
                    throw new IOException(
                            route.name() + ": the download ended after " + received + " of " + bytes + " bytes");
                }
                received += n;
            }
        }
        return bytes / 1e6 / ((System.nanoTime() - start) / 1e9);
    }
}
