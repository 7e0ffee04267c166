package io.pocketproxy.server.importing;

/**
 * How an import writes: {@code dryRun} reports exactly what would happen and changes nothing; {@code update}
 * overwrites the operator's own connections a source names again (else they are skipped); {@code strict} stops at
 * the first bad row.
 */
public record ImportMode(boolean dryRun, boolean update, boolean strict) {}
