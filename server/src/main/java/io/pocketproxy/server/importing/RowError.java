package io.pocketproxy.server.importing;

/** A source row that was not imported, and why: where it is ({@code line 7}, {@code id 42}) and what was wrong. */
public record RowError(String origin, String reason) {

    @Override
    public String toString() {
        return origin + ": " + reason;
    }
}
