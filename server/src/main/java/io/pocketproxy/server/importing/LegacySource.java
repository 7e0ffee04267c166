package io.pocketproxy.server.importing;

import io.pocketproxy.server.ByteSize;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the earlier generation's {@code proxy_connections} with their {@code devices}: username, password_plain,
 * password_hash, bandwidth_limit, bandwidth_used, the type and active flag, and the device, each column only
 * where that schema version has it. Reads only; the source is left as it was.
 */
public final class LegacySource {

    /** Names the type and active columns had, or might have had, in the earlier generation. */
    private static final String[] TYPE_COLUMNS = {"type", "connection_type", "proxy_type", "protocol"};

    private static final String[] ACTIVE_COLUMNS = {"active", "is_active", "enabled"};

    private LegacySource() {}

    public static SourceRows read(LegacyDatabase source) {
        List<ImportRow> rows = new ArrayList<>();
        List<RowError> errors = new ArrayList<>();
        try (var statement = source.connection().createStatement();
                ResultSet result = statement.executeQuery(query(source))) {
            int number = 0;
            while (result.next()) {
                number++;
                String origin = source.hasConnectionColumn("id") ? "id " + result.getString("id") : "row " + number;
                try {
                    rows.add(row(origin, result));
                } catch (IllegalArgumentException e) {
                    errors.add(new RowError(origin, e.getMessage()));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("--from: cannot read proxy_connections: " + e.getMessage(), e);
        }
        return new SourceRows(rows, errors);
    }

    /** One SELECT with a stable column for each field, NULL where this schema version lacks it. */
    private static String query(LegacyDatabase source) {
        String type = source.connectionColumn(TYPE_COLUMNS);
        String active = source.connectionColumn(ACTIVE_COLUMNS);
        boolean devices = source.hasConnectionColumn("device_id") && source.hasDeviceColumn("id");
        StringBuilder sql = new StringBuilder("SELECT ")
                .append(source.hasConnectionColumn("id") ? "c.id::text AS id, " : "")
                .append("c.username::text AS username, ")
                .append(optional(source, "c", "password_plain", "text"))
                .append(optional(source, "c", "password_hash", "text"))
                .append(type == null ? "NULL::text" : "c." + type + "::text")
                .append(" AS type, ")
                .append(active == null ? "true" : "c." + active + "::boolean")
                .append(" AS active, ")
                .append(optional(source, "c", "bandwidth_limit", "bigint"))
                .append(optional(source, "c", "bandwidth_used", "bigint"))
                .append(devices ? "d.id::text" : "NULL::text")
                .append(" AS device_id, ")
                .append(devices && source.hasDeviceColumn("name") ? "d.name::text" : "NULL::text")
                .append(" AS device_name FROM proxy_connections c");
        if (devices) {
            sql.append(" LEFT JOIN devices d ON d.id = c.device_id");
        }
        return sql.append(source.hasConnectionColumn("id") ? " ORDER BY c.id" : " ORDER BY c.username")
                .toString();
    }

    private static String optional(LegacyDatabase source, String table, String column, String type) {
        return (source.hasConnectionColumn(column) ? table + "." + column + "::" + type : "NULL::" + type) + " AS "
                + column + ", ";
    }

    private static ImportRow row(String origin, ResultSet result) throws SQLException {
        String deviceId = result.getString("device_id");
        if (deviceId == null) {
            throw new IllegalArgumentException("no device (expected: a device_id naming one of its devices; every"
                    + " connection here runs through a device)");
        }
        String deviceName = result.getString("device_name");
        long limit = result.getLong("bandwidth_limit");
        long used = result.getLong("bandwidth_used");
        Boolean active = (Boolean) result.getObject("active");
        return new ImportRow(
                origin,
                RowChecks.username(result.getString("username")),
                RowChecks.plaintext("password_plain", result.getString("password_plain")),
                result.getString("password_hash"),
                RowChecks.type(result.getString("type")),
                ByteSize.requireNotNegative("bandwidth_limit", limit),
                ByteSize.requireNotNegative("bandwidth_used", used),
                active == null || active,
                new ImportRow.DeviceRef(
                        deviceId,
                        deviceName == null || deviceName.isBlank()
                                ? "device " + deviceId
                                : RowChecks.deviceName(deviceName)));
    }
}
