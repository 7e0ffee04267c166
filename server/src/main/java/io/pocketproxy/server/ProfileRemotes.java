package io.pocketproxy.server;

import io.pocketproxy.link.AggregatedWarning;
import io.pocketproxy.server.farm.RelayMembership;
import io.pocketproxy.server.openvpn.OpenVpnRemote;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code remote} lines of this server's profiles, read anew for each profile: its own endpoint first, then every
 * live node of the farm with the same keys and link certificate, each once. While the database does not answer, its
 * own alone: a profile handed out with a new password, shown only once, must not fail for want of the others.
 */
final class ProfileRemotes implements Supplier<List<OpenVpnRemote>> {

    private static final Logger log = LoggerFactory.getLogger(ProfileRemotes.class);

    private final AggregatedWarning unreadable = new AggregatedWarning(
            log,
            "cannot read the farm's OpenVPN nodes; profiles name this server's alone meanwhile",
            Duration.ofMinutes(1));

    private final Jdbi jdbi;
    private final OpenVpnRemote own;
    private final String profileFingerprint;
    private final String certificateFingerprint;

    ProfileRemotes(Jdbi jdbi, OpenVpnRemote own, String profileFingerprint, String certificateFingerprint) {
        this.jdbi = jdbi;
        this.own = own;
        this.profileFingerprint = profileFingerprint;
        this.certificateFingerprint = certificateFingerprint;
    }

    @Override
    public List<OpenVpnRemote> get() {
        Set<OpenVpnRemote> remotes = new LinkedHashSet<>();
        remotes.add(own);
        try {
            remotes.addAll(jdbi.withHandle(
                    handle -> RelayMembership.liveOpenVpnRemotes(handle, profileFingerprint, certificateFingerprint)));
        } catch (RuntimeException e) {
            unreadable.warn(e);
        }
        return List.copyOf(remotes);
    }
}
