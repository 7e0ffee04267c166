package io.pocketproxy.agent.health;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pocketproxy.link.status.DeviceHealth;
import java.util.Locale;

/**
 * Reads what a {@code --status-command} prints: one JSON object with any of {@code battery_percent} (0–100),
 * {@code charging} (true/false), {@code signal_dbm} (-160–0), {@code network_type} and {@code carrier} (text).
 * Other fields are ignored, so a command may print more; a field of the wrong type is an error, because an operator
 * who wrote {@code "battery_percent": "80%"} wants to hear about it.
 *
 * <p>Jackson is loaded only here, when a device first reads JSON (a status command, {@code mmcli}): its classes cost an
 * agent without either some 2 MiB.
 */
final class HealthJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private HealthJson() {}

    /** {@code output} read as JSON, whatever it holds. */
    static JsonNode tree(String output) throws JsonProcessingException {
        return JSON.readTree(output);
    }

    static DeviceHealth parse(String output) {
        JsonNode root;
        try {
            root = JSON.readTree(output);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("printed something that is not JSON: " + e.getOriginalMessage());
        }
        if (root == null || root.isMissingNode()) {
            throw new IllegalArgumentException("printed nothing (expected: a JSON object)");
        }
        if (!root.isObject()) {
            throw new IllegalArgumentException(
                    "printed " + root.getNodeType().name().toLowerCase(Locale.ROOT) + " (expected: a JSON object)");
        }
        return new DeviceHealth(
                integer(root, "battery_percent"),
                flag(root, "charging"),
                integer(root, "signal_dbm"),
                text(root, "network_type"),
                text(root, "carrier"));
    }

    private static Integer integer(JsonNode root, String field) {
        JsonNode value = present(root, field);
        if (value == null) {
            return null;
        }
        if (!value.isNumber()) {
            throw wrongType(field, value, "a number");
        }
        return (int) Math.round(value.asDouble());
    }

    private static Boolean flag(JsonNode root, String field) {
        JsonNode value = present(root, field);
        if (value == null) {
            return null;
        }
        if (!value.isBoolean()) {
            throw wrongType(field, value, "true or false");
        }
        return value.booleanValue();
    }

    private static String text(JsonNode root, String field) {
        JsonNode value = present(root, field);
        if (value == null) {
            return null;
        }
        if (!value.isTextual()) {
            throw wrongType(field, value, "a string");
        }
        return value.textValue();
    }

    private static JsonNode present(JsonNode root, String field) {
        JsonNode value = root.get(field);
        return value == null || value.isNull() ? null : value;
    }

    private static IllegalArgumentException wrongType(String field, JsonNode value, String expected) {
        String shown = value.toString();
        if (shown.length() > 40) {
            shown = shown.substring(0, 40) + "…";
        }
        return new IllegalArgumentException(field + ": " + shown + " (expected: " + expected + ")");
    }
}
