package io.pocketproxy.relay.link;

import io.netty.util.concurrent.ScheduledFuture;
import io.pocketproxy.link.LinkFeature;
import io.pocketproxy.link.status.DeviceHealth;
import io.pocketproxy.link.status.StatusReport;
import io.pocketproxy.relay.directory.DeviceDirectory;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks each linked device for its status as soon as its link is up and every interval after, and hands
 * the answers to the {@link DeviceDirectory}: this is how a device becomes online, and stays so.
 */
final class Heartbeats {

    private static final Logger log = LoggerFactory.getLogger(Heartbeats.class);

    private final DeviceDirectory devices;
    private final Duration interval;
    private final Clock clock;

    Heartbeats(DeviceDirectory devices, Duration interval, Clock clock) {
        this.devices = devices;
        this.interval = interval;
        this.clock = clock;
    }

    void start(DeviceLink link) {
        ScheduledFuture<?> task = link.channel()
                .eventLoop()
                .scheduleWithFixedDelay(() -> beat(link), 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        link.channel().closeFuture().addListener(closed -> task.cancel(false));
    }

    private void beat(DeviceLink link) {
        link.status().whenComplete((report, error) -> {
            if (error != null) {
                log.debug("device {} did not answer its status request: {}", link.deviceId(), error.getMessage());
                return;
            }
            // Health is read only from an agent that announced it: nothing outside the agreed list is trusted.
            StatusReport heard = link.features().contains(LinkFeature.HEALTH)
                    ? report
                    : new StatusReport(
                            report.agentVersion(), report.egressIp(), DeviceHealth.UNKNOWN, report.lastRotation());
            try {
                devices.recordHeartbeat(link.deviceId(), link.remoteAddress(), heard, clock.instant());
            } catch (RuntimeException e) {
                log.warn("cannot record the heartbeat of device {}", link.deviceId(), e);
            }
        });
    }
}
