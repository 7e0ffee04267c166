package io.pocketproxy.server.openvpn;

import io.pocketproxy.server.errors.ConflictException;
import java.util.Optional;

/**
 * Whether this server offers OpenVPN, and the profiles of its OPENVPN connections when it does. When it does
 * not, the reason is the sentence an operator reads in the API's 409 {@code openvpn_unavailable}.
 */
public final class OpenVpnProfiles {

    private final Optional<ProfileWriter> writer;
    private final String unavailableReason;

    private OpenVpnProfiles(Optional<ProfileWriter> writer, String unavailableReason) {
        this.writer = writer;
        this.unavailableReason = unavailableReason;
    }

    public static OpenVpnProfiles available(ProfileWriter writer) {
        return new OpenVpnProfiles(Optional.of(writer), null);
    }

    /** {@code reason} completes "OpenVPN is off on this server: ...". */
    public static OpenVpnProfiles unavailable(String reason) {
        return new OpenVpnProfiles(Optional.empty(), reason);
    }

    public boolean isAvailable() {
        return writer.isPresent();
    }

    /** Refuses, with the reason, when the server runs without OpenVPN. */
    public ProfileWriter require() {
        return writer.orElseThrow(() ->
                new ConflictException("openvpn_unavailable", "OpenVPN is off on this server: " + unavailableReason));
    }

    /** The profile with inline credentials, when OpenVPN is on. */
    public Optional<String> withCredentials(String username, String password) {
        return writer.map(profiles -> profiles.profile(username, Optional.of(password)));
    }

    /** A profile to download: its file name and its text. */
    public record Download(String fileName, String text) {}

    /** The profile without credentials; refuses when OpenVPN is off. */
    public Download withoutCredentials(String username) {
        return new Download(ProfileWriter.fileName(username), require().profile(username, Optional.empty()));
    }

    @Override
    public String toString() {
        return isAvailable() ? "OpenVPN is on" : "OpenVPN is off: " + unavailableReason;
    }
}
