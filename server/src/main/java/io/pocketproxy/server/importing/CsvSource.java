package io.pocketproxy.server.importing;

import io.pocketproxy.server.ByteSize;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Customers kept in a spreadsheet: a CSV file with a header row naming its columns, in any order, of
 * {@value #EXPECTED_COLUMNS}. {@code username} and {@code device} are required, and a password ({@code password}
 * or {@code password_hash}); the rest default to SOCKS5, unlimited and nothing used. Fields may be quoted
 * ({@code "a, b"}, {@code ""} for a quote) but a record ends with its line. A bad line is reported with its number
 * and the rest are read.
 */
public final class CsvSource {

    static final String EXPECTED_COLUMNS = "username,password,password_hash,type,bandwidth_limit,bandwidth_used,device";

    private static final Set<String> KNOWN = Set.of(EXPECTED_COLUMNS.split(","));

    private CsvSource() {}

    public static SourceRows read(Path file) {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return read(file.toString(), reader);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    static SourceRows read(String name, BufferedReader reader) throws IOException {
        String headerLine = reader.readLine();
        if (headerLine == null) {
            throw new IllegalArgumentException(name + " is empty (expected: a header row " + EXPECTED_COLUMNS + ")");
        }
        Map<String, Integer> columns = header(name, stripByteOrderMark(headerLine));
        List<ImportRow> rows = new ArrayList<>();
        List<RowError> errors = new ArrayList<>();
        int lineNumber = 1;
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
            lineNumber++;
            if (line.isBlank()) {
                continue;
            }
            String origin = "line " + lineNumber;
            try {
                rows.add(row(origin, columns, fields(line)));
            } catch (IllegalArgumentException e) {
                errors.add(new RowError(origin, e.getMessage()));
            }
        }
        return new SourceRows(rows, errors);
    }

    private static Map<String, Integer> header(String name, String line) {
        Map<String, Integer> columns = new HashMap<>();
        List<String> names = fields(line);
        for (int i = 0; i < names.size(); i++) {
            String column = names.get(i).strip().toLowerCase(Locale.ROOT);
            if (!KNOWN.contains(column)) {
                throw new IllegalArgumentException(
                        name + ": line 1 has column '" + column + "' (expected a header of: " + EXPECTED_COLUMNS + ")");
            }
            if (columns.putIfAbsent(column, i) != null) {
                throw new IllegalArgumentException(name + ": line 1 names column '" + column + "' twice");
            }
        }
        for (String required : List.of("username", "device")) {
            if (!columns.containsKey(required)) {
                throw new IllegalArgumentException(name + ": line 1 has no column '" + required
                        + "' (expected a header of: " + EXPECTED_COLUMNS + ")");
            }
        }
        if (!columns.containsKey("password") && !columns.containsKey("password_hash")) {
            throw new IllegalArgumentException(
                    name + ": line 1 has neither 'password' nor 'password_hash' (expected: at least one)");
        }
        return columns;
    }

    private static ImportRow row(String origin, Map<String, Integer> columns, List<String> fields) {
        int width = columns.values().stream().mapToInt(Integer::intValue).max().orElse(0) + 1;
        if (fields.size() != width) {
            throw new IllegalArgumentException(fields.size() + " fields (expected: " + width + ", as in the header)");
        }
        String limit = field(columns, fields, "bandwidth_limit");
        String used = field(columns, fields, "bandwidth_used");
        return new ImportRow(
                origin,
                RowChecks.username(field(columns, fields, "username")),
                RowChecks.plaintext("password", field(columns, fields, "password")),
                field(columns, fields, "password_hash"),
                RowChecks.type(field(columns, fields, "type")),
                limit == null ? 0 : ByteSize.parse("bandwidth_limit", limit),
                used == null ? 0 : ByteSize.parse("bandwidth_used", used),
                true,
                new ImportRow.DeviceRef(null, RowChecks.deviceName(field(columns, fields, "device"))));
    }

    /** The field of that column, null when the column is absent or the field empty. */
    private static String field(Map<String, Integer> columns, List<String> fields, String column) {
        Integer index = columns.get(column);
        if (index == null) {
            return null;
        }
        String value = fields.get(index);
        return value.isEmpty() ? null : value;
    }

    /** One line's fields: comma-separated, optionally double-quoted with {@code ""} for a quote inside. */
    static List<String> fields(String line) {
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        boolean wasQuoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    field.append(c);
                }
            } else if (c == '"' && field.toString().isBlank()) {
                quoted = true;
                wasQuoted = true;
                field.setLength(0);
            } else if (c == ',') {
                fields.add(wasQuoted ? field.toString() : field.toString().strip());
                field.setLength(0);
                wasQuoted = false;
            } else if (wasQuoted && !Character.isWhitespace(c)) {
                throw new IllegalArgumentException(
                        "text after a closing quote at column " + (i + 1) + " (expected: a comma)");
            } else {
                field.append(c);
            }
        }
        if (quoted) {
            throw new IllegalArgumentException(
                    "a quote is not closed (expected: \"...\" within the line; a record cannot span lines)");
        }
        fields.add(wasQuoted ? field.toString() : field.toString().strip());
        return fields;
    }

    private static String stripByteOrderMark(String line) {
        return line.startsWith("\uFEFF") ? line.substring(1) : line;
    }
}
