package io.pocketproxy.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * One stream's upload throughput: a new tunnel to the HTTP target and one POST of {@code --upload-mib};
 * the target reads and discards the body and answers its length. MB/s from opening the tunnel to the
 * answer, so bytes still buffered on the way count as not yet uploaded.
 */
final class BulkUpload implements Figure {

    private static final long WARM_UP_BYTES = 256L << 20;

    @Option(
            names = "--upload-mib",
            paramLabel = "MiB",
            description = "Size of each upload (default: ${DEFAULT-VALUE}); one warm-up upload per route first"
                    + " (at most 256 MiB).")
    int mib = 512;

    @Override
    public void validate() {
        Check.atLeast("--upload-mib", mib, 1);
    }

    @Override
    public Table measure(Testbed testbed) throws Exception {
        int http = testbed.targets().http();
        List<Route> routes = testbed.routes();
        long bytes = (long) mib << 20;
        for (Route route : routes) {
            upload(route, http, Math.min(bytes, WARM_UP_BYTES));
        }
        Rounds rounds = Rounds.run(
                "upload", testbed.options().rounds, routes, route -> Map.of("MB/s", upload(route, http, bytes)));
        return new Table(
                "bulk upload",
                "Bulk upload, one stream, one POST of " + mib + " MiB (" + Rounds.caption(testbed.options().rounds)
                        + ")",
                List.of(rounds.row("MB/s", "≥ 1.5 × ssh -R; ≥ 0.5 × direct (stretch)")),
                List.of());
    }

    private static double upload(Route route, int http, long bytes) throws IOException {
        long start = System.nanoTime();
        try (Socket socket = route.open(http)) {
            OutputStream out = socket.getOutputStream();
            out.write(HttpTarget.postHead(bytes));
            byte[] chunk = new byte[256 * 1024];
            for (long left = bytes; left > 0; left -= chunk.length) {
                out.write(chunk, 0, (int) Math.min(chunk.length, left));
            }
            out.flush();
            String answer = HttpTarget.readAnswer(socket.getInputStream());
            if (!answer.equals(Long.toString(bytes))) {
                throw new IOException(route.name() + ": the target read " + answer + " bytes of the upload (expected: "
                        + bytes + ")");
            }
        }
        return bytes / 1e6 / ((System.nanoTime() - start) / 1e9);
    }
}
