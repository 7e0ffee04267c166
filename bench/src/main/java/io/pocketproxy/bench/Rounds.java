package io.pocketproxy.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs a trial over each route in turn, round after round (ours, ssh -R, direct, ours, ...), and keeps
 * the median of the rounds. Interleaving spreads a neighbour's burst of load over every route instead of
 * one; the median drops a disturbed round instead of averaging it in.
 */
final class Rounds {

    /** One measurement over one route: its metrics by name, in the order the table shows them. */
    interface Trial {
        Map<String, Double> run(Route route) throws Exception;
    }

    private final Map<String, Map<String, List<Double>>> values = new LinkedHashMap<>(); // metric → route → rounds

    private Rounds() {}

    static Rounds run(String figure, int rounds, List<Route> routes, Trial trial) throws Exception {
        Rounds results = new Rounds();
        for (int round = 1; round <= rounds; round++) {
            for (Route route : routes) {
                Map<String, Double> measured = trial.run(route);
                List<String> shown = new ArrayList<>();
                measured.forEach((metric, value) -> {
                    results.values
                            .computeIfAbsent(metric, m -> new LinkedHashMap<>())
                            .computeIfAbsent(route.name(), r -> new ArrayList<>())
                            .add(value);
                    shown.add(metric + " " + Table.value(value));
                });
                Progress.say(String.format(
                        Locale.ROOT,
                        "%s round %d/%d, %s: %s",
                        figure,
                        round,
                        rounds,
                        route.name(),
                        String.join(", ", shown)));
            }
        }
        return results;
    }

    /** "median of 3 rounds", or "one round". */
    static String caption(int rounds) {
        return rounds == 1 ? "one round" : "median of " + rounds + " rounds";
    }

    /** The median over the rounds, or null when the route was not run. */
    Double median(String metric, String route) {
        List<Double> rounds = values.getOrDefault(metric, Map.of()).get(route);
        if (rounds == null || rounds.isEmpty()) {
            return null;
        }
        List<Double> sorted = rounds.stream().sorted().toList();
        int middle = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
    }

    Table.Row row(String metric, String goal) {
        return new Table.Row(
                metric, median(metric, Route.OURS), median(metric, Route.PEER), median(metric, Route.DIRECT), goal);
    }

    /**
     * A row for ours entering at another relay than the device's ({@link Route#FORWARDED}) in ours' place, the same
     * peer and direct beside it; its last column compares it with ours on the device's own relay, same run. Null when
     * the forwarded route was not run.
     */
    Table.Row forwardedRow(String metric, String label) {
        Double forwarded = median(metric, Route.FORWARDED);
        if (forwarded == null) {
            return null;
        }
        Double own = median(metric, Route.OURS);
        String comparison = own == null || own == 0
                ? ""
                : "ours on the device's relay: " + Table.value(own) + " (forwarded ÷ it = "
                        + String.format(java.util.Locale.ROOT, "%.2f", forwarded / own) + ")";
        return new Table.Row(label, forwarded, median(metric, Route.PEER), median(metric, Route.DIRECT), comparison);
    }

    /** A row of each route's median minus the direct path's: what the tunnel adds. */
    Table.Row overheadRow(String metric, String label, String goal) {
        Double direct = median(metric, Route.DIRECT);
        return new Table.Row(
                label,
                minus(median(metric, Route.OURS), direct),
                minus(median(metric, Route.PEER), direct),
                null,
                goal);
    }

    private static Double minus(Double value, Double direct) {
        return value == null || direct == null ? null : value - direct;
    }
}
