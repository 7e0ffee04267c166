package io.pocketproxy.server.importing;

/** What became of a source row's password. */
public enum PasswordOutcome {
    /** A valid bcrypt hash, kept as it is (and, where a plaintext was beside it, checked to match it). */
    KEPT_HASH,
    /** The plaintext, hashed with bcrypt at our cost. */
    HASHED_PLAINTEXT,
    /** Both were there and disagreed: the hash was kept, since it is what the old system checked. */
    HASH_OVER_PLAINTEXT,
    /** Neither a usable hash nor a plaintext: imported inactive, needing a new password. */
    NONE,
    /**
     * Not looked at: the username was already here when the import began, and without {@code --update} it is
     * skipped, so a re-run after Ctrl-C does not spend minutes hashing what it will not write.
     */
    DEFERRED
}
