package io.pocketproxy.server.importing;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * What the rows written in the open transaction did, held back until it commits: only then are they counted in the
 * report and their new devices' pairing strings written to {@code --pairing-out}. So neither names a row or a device
 * that a rollback undid (a row that failed, a connection lost, an import stopped or killed midway), and a re-run,
 * which creates those devices again, never leaves a stale line beside the fresh one. The price is the instant between
 * a commit and the write of the file: a crash there loses those devices' pairing strings (they stay pending).
 */
final class UncommittedRows {

    private final List<Consumer<ImportReport>> counts = new ArrayList<>();
    private final List<NewDevice> devices = new ArrayList<>();
    private int rowCounts;
    private int rowDevices;

    /** A row begins, at a savepoint: what it adds is taken back if it is rolled back to there. */
    void beginRow() {
        rowCounts = counts.size();
        rowDevices = devices.size();
    }

    void rollBackRow() {
        counts.subList(rowCounts, counts.size()).clear();
        devices.subList(rowDevices, devices.size()).clear();
    }

    void count(Consumer<ImportReport> count) {
        counts.add(count);
    }

    /** @param pairing null in a dry run, which creates no device a customer could use */
    void deviceCreated(String name, String pairing) {
        devices.add(new NewDevice(name, pairing));
    }

    /**
     * The transaction committed (or, in a dry run, ended as planned): writes the pairing strings, to {@code
     * pairingOut} or else into the report, and counts the rows.
     */
    void committed(ImportReport report, PairingOut pairingOut) {
        if (pairingOut != null) {
            pairingOut.write(devices.stream()
                    .filter(device -> device.pairing() != null)
                    .map(device -> new PairingOut.Line(device.name(), device.pairing()))
                    .toList());
        }
        devices.forEach(device -> report.deviceCreated(device.name(), pairingOut == null ? device.pairing() : null));
        counts.forEach(count -> count.accept(report));
        devices.clear();
        counts.clear();
    }

    private record NewDevice(String name, String pairing) {}
}
