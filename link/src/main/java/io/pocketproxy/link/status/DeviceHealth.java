package io.pocketproxy.link.status;

/**
 * What a device can tell about itself beyond its address: each value {@code null} where it cannot (a Linux box has
 * no battery; a phone without a SIM has no carrier). Values out of their range are dropped rather than trusted.
 *
 * @param batteryPercent 0–100
 * @param charging whether the battery is being charged
 * @param signalDbm the mobile signal's strength in dBm, -160 to 0
 * @param networkType the radio access technology: {@code LTE}, {@code 5G}, {@code HSPA}, {@code wifi} … (≤ 32)
 * @param carrier the mobile operator's name (≤ 64)
 */
public record DeviceHealth(
        Integer batteryPercent, Boolean charging, Integer signalDbm, String networkType, String carrier) {

    public static final DeviceHealth UNKNOWN = new DeviceHealth(null, null, null, null, null);

    static final int NETWORK_TYPE_LENGTH = 32;
    static final int CARRIER_LENGTH = 64;

    public DeviceHealth {
        if (batteryPercent != null && (batteryPercent < 0 || batteryPercent > 100)) {
            batteryPercent = null;
        }
        if (signalDbm != null && (signalDbm < -160 || signalDbm > 0)) {
            signalDbm = null;
        }
        networkType = shortText(networkType, NETWORK_TYPE_LENGTH);
        carrier = shortText(carrier, CARRIER_LENGTH);
    }

    public boolean isUnknown() {
        return equals(UNKNOWN);
    }

    /** Blank is unknown; control characters (which a header cannot carry) are dropped; long text is cut. */
    private static String shortText(String text, int maxLength) {
        if (text == null) {
            return null;
        }
        String printable = text.replaceAll("\\p{Cntrl}", "").trim();
        if (printable.isEmpty()) {
            return null;
        }
        return printable.length() > maxLength ? printable.substring(0, maxLength) : printable;
    }
}
