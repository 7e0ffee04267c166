package io.pocketproxy.agent.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pocketproxy.link.status.DeviceHealth;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LinuxHealthTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void readsTheBatteryFromPowerSupplyFilesAndSkipsTheCharger(@TempDir Path sys) throws IOException {
        supply(sys, "AC", "Mains", null, null);
        supply(sys, "battery", "Battery", "64\n", "Charging\n");

        DeviceHealth health = new LinuxHealth(sys, false).measure();

        assertThat(health).isEqualTo(new DeviceHealth(64, true, null, null, null));
    }

    @Test
    void knowsNothingOnAMachineWithoutABattery(@TempDir Path sys) throws IOException {
        supply(sys, "AC", "Mains", null, null);

        assertThat(new LinuxHealth(sys, false).measure().isUnknown()).isTrue();
        assertThat(new LinuxHealth(sys.resolve("missing"), false).measure().isUnknown())
                .isTrue();
    }

    @Test
    void readsModemManagersNetworkCarrierAndSignal() throws IOException {
        // As ModemManager 1.20's mmcli -J -m any and --signal-get print them (trimmed to what is read).
        String modem = """
                {"modem": {"generic": {"access-technologies": ["lte"], "signal-quality": {"value": "71"}},
                           "3gpp": {"operator-name": "Orange F"}}}""";
        String signal = """
                {"modem": {"signal": {"lte": {"rssi": "-67.00", "rsrp": "-95.00"}, "umts": {"rssi": "--"}}}}""";

        LinuxHealth.Modem read = LinuxHealth.modemOf(JSON.readTree(modem), JSON.readTree(signal));

        assertThat(read).isEqualTo(new LinuxHealth.Modem(-67, "LTE", "Orange F"));
    }

    @Test
    void leavesAModemThatSaysNothingUnknown() throws IOException {
        LinuxHealth.Modem read = LinuxHealth.modemOf(
                JSON.readTree("{\"modem\": {\"3gpp\": {\"operator-name\": \"--\"}}}"), JSON.readTree("{}"));

        assertThat(read).isEqualTo(LinuxHealth.Modem.UNKNOWN);
    }

    @Test
    void saysWhatIsWrongWithAStatusCommandsOutput() {
        assertThat(HealthJson.parse("{\"battery_percent\": 80.4, \"unknown\": [1]}")
                        .batteryPercent())
                .isEqualTo(80);
        assertThatThrownBy(() -> HealthJson.parse("battery: full"))
                .hasMessageStartingWith("printed something that is not JSON");
        assertThatThrownBy(() -> HealthJson.parse("[1, 2]")).hasMessage("printed array (expected: a JSON object)");
        assertThatThrownBy(() -> HealthJson.parse("")).hasMessage("printed nothing (expected: a JSON object)");
        assertThatThrownBy(() -> HealthJson.parse("{\"battery_percent\": \"80%\"}"))
                .hasMessage("battery_percent: \"80%\" (expected: a number)");
        assertThatThrownBy(() -> HealthJson.parse("{\"charging\": 1}"))
                .hasMessage("charging: 1 (expected: true or false)");
    }

    private static void supply(Path sys, String name, String type, String capacity, String status) throws IOException {
        Path supply = Files.createDirectories(sys.resolve(name));
        Files.writeString(supply.resolve("type"), type + "\n");
        if (capacity != null) {
            Files.writeString(supply.resolve("capacity"), capacity);
        }
        if (status != null) {
            Files.writeString(supply.resolve("status"), status);
        }
    }
}
