package io.pocketproxy.agent.health;

import com.fasterxml.jackson.databind.JsonNode;
import io.pocketproxy.agent.command.DeviceCommand;
import io.pocketproxy.link.status.DeviceHealth;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Locale;

/**
 * What Linux tells without a {@code --status-command}: the battery from {@code /sys/class/power_supply} (a phone
 * running the agent in Termux, a laptop), and the modem's network type, carrier and signal from ModemManager
 * ({@code mmcli -J}) when it is installed. Whatever is missing stays unknown; nothing here is an error.
 */
public final class LinuxHealth implements PeriodicHealth.Measurement {

    private static final Duration MMCLI_TIMEOUT = Duration.ofSeconds(10);

    private final Path powerSupplies;
    private final boolean modemManager;

    LinuxHealth(Path powerSupplies, boolean modemManager) {
        this.powerSupplies = powerSupplies;
        this.modemManager = modemManager;
    }

    /** This machine's battery, and ModemManager if {@code mmcli} is on the PATH. */
    public static LinuxHealth ofThisMachine() {
        return new LinuxHealth(Paths.get("/sys/class/power_supply"), onPath("mmcli"));
    }

    @Override
    public DeviceHealth measure() {
        Battery battery = battery();
        Modem modem = modemManager ? modem() : Modem.UNKNOWN;
        return new DeviceHealth(battery.percent, battery.charging, modem.signalDbm, modem.networkType, modem.carrier);
    }

    private record Battery(Integer percent, Boolean charging) {}

    /** The first power supply of type {@code Battery}: its {@code capacity} and whether {@code status} is charging. */
    Battery battery() {
        if (!Files.isDirectory(powerSupplies)) {
            return new Battery(null, null);
        }
        try (DirectoryStream<Path> supplies = Files.newDirectoryStream(powerSupplies)) {
            for (Path supply : supplies) {
                if (!"Battery".equalsIgnoreCase(read(supply.resolve("type")))) {
                    continue;
                }
                Integer percent = null;
                try {
                    percent = Integer.valueOf(read(supply.resolve("capacity")));
                } catch (NumberFormatException e) {
                    // no capacity file, or nonsense in it: unknown
                }
                String status = read(supply.resolve("status")).toLowerCase(Locale.ROOT);
                Boolean charging = switch (status) {
                    case "charging", "full" -> Boolean.TRUE; // full: on the charger
                    case "discharging", "not charging" -> Boolean.FALSE;
                    default -> null;
                };
                return new Battery(percent, charging);
            }
        } catch (IOException e) {
            // unreadable: unknown, as on a machine without a battery
        }
        return new Battery(null, null);
    }

    record Modem(Integer signalDbm, String networkType, String carrier) {
        static final Modem UNKNOWN = new Modem(null, null, null);
    }

    private Modem modem() {
        try {
            JsonNode modem = mmcli("mmcli -J -m any");
            JsonNode signal = mmcli("mmcli -J -m any --signal-get");
            return modemOf(modem, signal);
        } catch (DeviceCommand.CommandFailed | IOException e) {
            return Modem.UNKNOWN;
        }
    }

    private static JsonNode mmcli(String command) throws DeviceCommand.CommandFailed, IOException {
        DeviceCommand.Result result = new DeviceCommand("mmcli", command, MMCLI_TIMEOUT).run();
        if (result.exitCode() != 0) {
            throw new IOException("mmcli exited with " + result.exitCode());
        }
        return HealthJson.tree(result.stdout());
    }

    /** Reads {@code mmcli -J -m any} and {@code mmcli -J -m any --signal-get} (ModemManager 1.10 and later). */
    static Modem modemOf(JsonNode modem, JsonNode signal) {
        JsonNode generic = modem.path("modem").path("generic");
        String carrier = textOrNull(modem.path("modem").path("3gpp").path("operator-name"));
        String networkType = null;
        for (JsonNode technology : generic.path("access-technologies")) {
            networkType = networkType(technology.asText(""));
            if (networkType != null) {
                break;
            }
        }
        Integer dbm = null;
        for (String technology : new String[] {"5g", "lte", "umts", "gsm"}) {
            JsonNode values = signal.path("modem").path("signal").path(technology);
            dbm = number(values.path("rssi"));
            if (dbm == null) {
                dbm = number(values.path("rsrp"));
            }
            if (dbm != null) {
                break;
            }
        }
        return new Modem(dbm, networkType, carrier);
    }

    /** ModemManager's access technology names, as operators know them. */
    private static String networkType(String technology) {
        return switch (technology.toLowerCase(Locale.ROOT)) {
            case "5gnr" -> "5G";
            case "lte", "lte-cat-m", "lte-nb-iot" -> "LTE";
            case "hspa-plus", "hspa", "hsdpa", "hsupa" -> "HSPA";
            case "umts", "evdo0", "evdoa", "evdob" -> "3G";
            case "edge", "gprs", "gsm", "gsm-compact", "1xrtt" -> "2G";
            default -> null;
        };
    }

    /** mmcli prints numbers as text ({@code "-71.00"}) and {@code "--"} for none. */
    private static Integer number(JsonNode value) {
        try {
            return (int) Math.round(Double.parseDouble(value.asText("")));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String textOrNull(JsonNode value) {
        String text = value.asText("");
        return text.isEmpty() || text.equals("--") ? null : text;
    }

    private static String read(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return "";
        }
    }

    private static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String directory : path.split(File.pathSeparator)) {
            if (!directory.isEmpty() && new File(directory, program).canExecute()) {
                return true;
            }
        }
        return false;
    }
}
