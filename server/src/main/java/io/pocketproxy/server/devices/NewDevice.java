package io.pocketproxy.server.devices;

import io.pocketproxy.link.PairingString;

/** A device just created: the only moment its token and pairing string exist outside the device. */
public record NewDevice(Device device, String token, PairingString pairing) {

    @Override
    public String toString() {
        return "NewDevice[device=" + device + ", token=****]";
    }
}
