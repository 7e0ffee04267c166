package io.pocketproxy.agent;

import io.pocketproxy.link.status.StatusReport;

/**
 * What the platform knows about the device: an Android app reports battery, signal and network type; a
 * Linux modem box may know nothing of the kind. Called on an event loop, so it must answer from memory.
 */
@FunctionalInterface
public interface StatusSource {

    StatusReport current();

    /** Knows only the agent's version. */
    static StatusSource none() {
        return () -> new StatusReport(Agent.VERSION, null, null, null, null);
    }
}
