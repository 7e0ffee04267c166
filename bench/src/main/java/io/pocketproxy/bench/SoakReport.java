package io.pocketproxy.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.pocketproxy.relay.metering.Meter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Queue;

/**
 * The soak's verdict as Markdown: a row per connection (what its transfers moved since its last reset, what the
 * server stored, the difference), then what the relay still holds, heap, file descriptors and leaks, and every
 * fault seen. {@link #passed} is false when any check failed.
 */
final class SoakReport {

    private final StringBuilder rows = new StringBuilder();
    private final List<String> checks = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();

    SoakReport(SoakServer server, CountingTarget target, Churn churn, Queue<String> faults, boolean settled) {
        long expectedTotal = 0;
        long storedTotal = 0;
        for (Account account : server.accounts()) {
            Account.Snapshot ledger = account.snapshot();
            JsonNode row = server.api().get("/api/connections/" + account.id).json();
            long stored = row.path("bandwidth_used").asLong(-1);
            long limit = row.path("bandwidth_limit").asLong();
            expectedTotal += ledger.lower();
            storedTotal += stored;
            rows.append(String.format(
                    Locale.ROOT,
                    "| %s | %d / %d / %d / %d | %d | %s | %d | %s | %s |%n",
                    account,
                    ledger.completed(),
                    ledger.aborted(),
                    ledger.cut(),
                    ledger.refused(),
                    ledger.resets(),
                    ledger.exact() ? Long.toString(ledger.lower()) : ledger.lower() + " .. " + ledger.upper(),
                    stored,
                    difference(ledger, stored),
                    verdict(account, ledger, stored, limit)));
        }
        rows.append(String.format(
                Locale.ROOT, "| **all** | | | %d (lower bound) | %d | | |%n", expectedTotal, storedTotal));
        List<Meter> meters = server.accounts().stream()
                .map(server::meter)
                .flatMap(Optional::stream)
                .toList();
        long streams = Soak.openStreams(meters);
        long tunnels = meters.stream().mapToLong(Meter::openTunnels).sum();
        check(
                settled && streams == 0 && tunnels == 0,
                "relay: " + streams + " open device streams, " + tunnels + " customer channels (expected 0, 0)");
        check(
                server.relay().meters().ids().size() <= server.accounts().size(),
                "relay: " + server.relay().meters().ids().size() + " meters for "
                        + server.accounts().size() + " connections (expected: at most one each)");
        check(
                server.relay().links().size() == server.devices(),
                "relay: " + server.relay().links().size() + " device links for " + server.devices() + " agents");
        check(
                target.openConnections() == 0,
                "target: " + target.openConnections() + " client connections still open (expected 0)");
        check(churn.overLimit == 0, "limits: " + churn.overLimit + " times a stored usage was over its limit");
        checks.add("operator changes: " + churn.done);
        for (Account account : server.accounts()) {
            var refusals = account.snapshot().refusals();
            if (!refusals.isEmpty()) {
                checks.add("refused on " + account + ": " + refusals);
            }
        }
        for (String fault : faults) {
            failures.add("fault: " + fault);
        }
    }

    private static String difference(Account.Snapshot ledger, long stored) {
        if (ledger.exact()) {
            return Long.toString(stored - ledger.lower());
        }
        double span = ledger.upper() - ledger.lower();
        return String.format(
                Locale.ROOT,
                "%+d from lower (%.1f%% of range)",
                stored - ledger.lower(),
                100 * (stored - ledger.lower()) / span);
    }

    private String verdict(Account account, Account.Snapshot ledger, long stored, long limit) {
        boolean ok = ledger.exact() ? stored == ledger.lower() : stored >= ledger.lower() && stored <= ledger.upper();
        boolean underLimit = limit == 0 || stored <= limit;
        if (!ok) {
            failures.add(account + ": stored " + stored + ", expected "
                    + (ledger.exact() ? ledger.lower() : ledger.lower() + " .. " + ledger.upper()));
        }
        if (!underLimit) {
            failures.add(account + ": stored " + stored + " over its limit " + limit);
        }
        return (ok ? "ok" : "**FAIL**") + (limit > 0 ? ", limit " + limit + (underLimit ? " held" : " EXCEEDED") : "");
    }

    void vitals(ProcessVitals before, ProcessVitals after, long heapMargin, int fdMargin) {
        check(
                after.heapBytes() <= before.heapBytes() + heapMargin,
                String.format(
                        Locale.ROOT,
                        "heap after GC: %.1f MiB before, %.1f MiB after (margin +%d MiB)",
                        before.heapBytes() / 1048576.0,
                        after.heapBytes() / 1048576.0,
                        heapMargin >> 20));
        check(
                after.openFiles() <= before.openFiles() + fdMargin,
                "open file descriptors: " + before.openFiles() + " before, " + after.openFiles() + " after (margin +"
                        + fdMargin + ")");
    }

    void leaks(List<String> reported) {
        check(reported.isEmpty(), "Netty leak reports (simple level): " + reported.size());
        reported.stream()
                .limit(3)
                .forEach(leak -> failures.add(leak.lines().limit(8).reduce("", (a, b) -> a + "\n" + b)));
    }

    private void check(boolean ok, String line) {
        checks.add((ok ? "ok: " : "**FAIL**: ") + line);
        if (!ok) {
            failures.add(line);
        }
    }

    boolean passed() {
        return failures.isEmpty();
    }

    String markdown(int minutes, int customers) {
        StringBuilder text =
                new StringBuilder(String.format(Locale.ROOT, "## Soak: %d customers, %d min%n%n", customers, minutes));
        text.append("| connection | transfers completed / aborted / cut / refused | resets | expected bytes since"
                + " last reset | stored `bandwidth_used` | difference | verdict |\n");
        text.append("| --- | --- | ---: | ---: | ---: | --- | --- |\n");
        text.append(rows).append('\n');
        for (String check : checks) {
            text.append("- ").append(check).append('\n');
        }
        if (!failures.isEmpty()) {
            text.append("\n### Failures\n\n");
            failures.forEach(failure -> text.append("- ").append(failure).append('\n'));
        }
        text.append("\nResult: ").append(passed() ? "**passed**" : "**FAILED**").append('\n');
        return text.toString();
    }

    static void delete(Path directory) {
        try (var paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // a temporary directory: the system will clean it
        }
    }
}
