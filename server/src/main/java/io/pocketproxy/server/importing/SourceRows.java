package io.pocketproxy.server.importing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** What a source held: the rows that can be imported, and those that cannot, each with its reason. */
public record SourceRows(List<ImportRow> rows, List<RowError> errors) {

    public SourceRows {
        rows = List.copyOf(rows);
        errors = List.copyOf(errors);
    }

    /**
     * The rows with a username repeated in the source after its first occurrence moved to the errors: usernames
     * are unique, and which of two rows the operator meant is theirs to say.
     */
    public SourceRows withoutRepeatedUsernames() {
        Map<String, String> firstSeen = new HashMap<>();
        List<ImportRow> unique = new ArrayList<>();
        List<RowError> allErrors = new ArrayList<>(errors);
        for (ImportRow row : rows) {
            String first = firstSeen.putIfAbsent(row.username(), row.origin());
            if (first == null) {
                unique.add(row);
            } else {
                allErrors.add(new RowError(
                        row.origin(), "username " + row.username() + " repeats " + first + " (expected: unique)"));
            }
        }
        return new SourceRows(unique, allErrors);
    }
}
