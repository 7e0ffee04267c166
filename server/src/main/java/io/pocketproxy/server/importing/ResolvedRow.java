package io.pocketproxy.server.importing;

/** A source row with the bcrypt hash we will store for it, and how that hash was come by. */
public record ResolvedRow(ImportRow row, String hash, PasswordOutcome outcome) {

    @Override
    public String toString() {
        return "ResolvedRow[" + row + ", " + outcome + "]";
    }
}
