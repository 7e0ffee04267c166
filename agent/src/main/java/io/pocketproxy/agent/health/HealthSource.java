package io.pocketproxy.agent.health;

import io.pocketproxy.link.status.DeviceHealth;

/**
 * What the device can tell about itself: battery, signal, network type, carrier. Asked on every heartbeat, on an
 * event loop, so it answers from memory; sources that must run a command or read files refresh in the background
 * ({@link PeriodicHealth}).
 */
@FunctionalInterface
public interface HealthSource {

    DeviceHealth current();

    /** Knows nothing: every value unknown. */
    static HealthSource unknown() {
        return () -> DeviceHealth.UNKNOWN;
    }
}
