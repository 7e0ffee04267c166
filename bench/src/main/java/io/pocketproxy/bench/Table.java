package io.pocketproxy.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One figure's results as a Markdown table: a row per metric with ours, ssh -R and direct side by side and
 * the ratios, so that the output pastes into a note as it is. {@link #summary} puts every figure's rows in
 * one table.
 */
record Table(String name, String title, List<Row> rows, List<String> notes) {

    /**
     * One metric. A null value is a route the figure does not apply to (or that was skipped); its ratios
     * print as a dash. {@code goal} is the target for the row, or empty.
     */
    record Row(String metric, Double ours, Double peer, Double direct, String goal) {

        static Row oursOnly(String metric, double ours, String goal) {
            return new Row(metric, ours, null, null, goal);
        }
    }

    private static final String HEADER = "| %s | ours | ssh -R | direct | ours ÷ ssh -R | ours ÷ direct | goal |%n"
            + "| --- | ---: | ---: | ---: | ---: | ---: | --- |%n";

    Table {
        rows = List.copyOf(rows);
        notes = List.copyOf(notes);
    }

    String markdown() {
        StringBuilder text = new StringBuilder("## " + title + "\n\n");
        text.append(String.format(Locale.ROOT, HEADER, "metric"));
        for (Row row : rows) {
            text.append(line(row.metric(), row));
        }
        for (String note : notes) {
            text.append("\n").append(note).append("\n");
        }
        return text.toString();
    }

    static String summary(List<Table> tables) {
        StringBuilder text = new StringBuilder("## Summary\n\n");
        text.append(String.format(Locale.ROOT, HEADER, "figure"));
        for (Table table : tables) {
            for (Row row : table.rows()) {
                text.append(line(table.name() + ": " + row.metric(), row));
            }
        }
        return text.toString();
    }

    private static String line(String label, Row row) {
        List<String> cells = new ArrayList<>(List.of(
                label,
                value(row.ours()),
                value(row.peer()),
                value(row.direct()),
                ratio(row.ours(), row.peer()),
                ratio(row.ours(), row.direct()),
                row.goal()));
        return "| " + String.join(" | ", cells) + " |\n";
    }

    /** Three significant figures or so: 1616, 254, 3.59, 0.40. */
    static String value(Double value) {
        if (value == null) {
            return "—";
        }
        double magnitude = Math.abs(value);
        String format = magnitude >= 100 ? "%.0f" : magnitude >= 10 ? "%.1f" : "%.2f";
        return String.format(Locale.ROOT, format, value);
    }

    private static String ratio(Double ours, Double other) {
        if (ours == null || other == null || other == 0) {
            return "—";
        }
        double ratio = ours / other;
        return String.format(Locale.ROOT, Math.abs(ratio) >= 10 ? "%.1f" : "%.2f", ratio);
    }
}
