package io.pocketproxy.agent.health;

import io.pocketproxy.agent.command.DeviceCommand;
import io.pocketproxy.link.status.DeviceHealth;

/** The health a {@code --status-command} prints (as {@link HealthJson} reads it). */
public final class StatusCommandHealth implements PeriodicHealth.Measurement {

    private final DeviceCommand command;

    public StatusCommandHealth(DeviceCommand command) {
        this.command = command;
    }

    @Override
    public DeviceHealth measure() throws DeviceCommand.CommandFailed {
        DeviceCommand.Result result = command.run();
        if (result.exitCode() != 0) {
            throw new IllegalStateException("exited with " + result.exitCode() + ": " + result.firstLines(3));
        }
        return HealthJson.parse(result.stdout());
    }
}
