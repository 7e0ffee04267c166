package io.pocketproxy.bench;

import io.pocketproxy.relay.directory.ConnectionType;
import java.util.UUID;

/**
 * The soak's ledger of one proxy connection: the bytes its transfers moved since its last reset, as a range
 * (exact while every transfer completed), and what happened to them. Its {@link Gate} lets a reset or a new
 * password wait until no transfer of the connection is in flight, which keeps "since the last reset" exact.
 */
final class Account {

    final UUID id;
    final ConnectionType type;
    final String username;
    final int device;
    /** A small limit the soak runs into on purpose; never reset or changed. */
    final boolean capped;
    /**
     * Whether customers abort transfers here: only device 0's connections, so that the others only ever complete
     * theirs and must match to the byte.
     */
    final boolean abortable;

    final Gate gate = new Gate();
    private volatile String password;

    private long lower;
    private long upper;
    private int completed;
    private int aborted;
    private int cut;
    private int refused;
    private final java.util.Map<String, Integer> refusals = new java.util.TreeMap<>();
    private int resets;

    Account(UUID id, ConnectionType type, String username, String password, int device, boolean capped) {
        this.id = id;
        this.type = type;
        this.username = username;
        this.password = password;
        this.device = device;
        this.capped = capped;
        this.abortable = device == 0;
    }

    String password() {
        return password;
    }

    void password(String newPassword) {
        password = newPassword;
    }

    synchronized void completed(Moved moved) {
        add(moved);
        completed++;
    }

    synchronized void aborted(Moved moved) {
        add(moved);
        aborted++;
    }

    /** Ended early without the client asking: the limit, a new password, or a fault the soak should report. */
    synchronized void cut(Moved moved) {
        add(moved);
        cut++;
    }

    /** No tunnel, no byte through the device; {@code why} is the proxy's answer (a status, a reply code). */
    synchronized void refused(String why) {
        refused++;
        refusals.merge(why, 1, Integer::sum);
    }

    /** Called with {@link #gate} held exclusively: nothing of this connection is in flight. */
    synchronized void reset() {
        lower = 0;
        upper = 0;
        resets++;
    }

    private void add(Moved moved) {
        lower += moved.lower();
        upper += moved.upper();
    }

    synchronized Snapshot snapshot() {
        return new Snapshot(lower, upper, completed, aborted, cut, refused, resets, java.util.Map.copyOf(refusals));
    }

    record Snapshot(
            long lower,
            long upper,
            int completed,
            int aborted,
            int cut,
            int refused,
            int resets,
            java.util.Map<String, Integer> refusals) {

        boolean exact() {
            return lower == upper;
        }
    }

    @Override
    public String toString() {
        return type + " " + username + " on device " + device + (capped ? " (capped)" : "")
                + (abortable ? ", aborts" : "");
    }
}
