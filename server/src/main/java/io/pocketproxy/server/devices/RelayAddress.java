package io.pocketproxy.server.devices;

/** Where devices reach the relay and what certificate it shows: the parts of a pairing string besides the token. */
public record RelayAddress(String host, int linkPort, String certificateFingerprint) {}
