package io.pocketproxy.bench;

import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** Options every figure shares; given before or after the figure's name. */
final class CommonOptions {

    @Option(
            names = "--rounds",
            paramLabel = "N",
            scope = ScopeType.INHERIT,
            description = "Interleaved rounds (ours, ssh -R, direct, ours, ...) per figure; tables show the median"
                    + " (default: ${DEFAULT-VALUE}).")
    int rounds = 3;

    @Option(
            names = "--no-peer",
            scope = ScopeType.INHERIT,
            description = "Skip the ssh -R peer: no sshd, no ssh, no OpenSSH install.")
    boolean noPeer;

    @Option(
            names = "--ssh-cipher",
            paramLabel = "CIPHER",
            scope = ScopeType.INHERIT,
            description = "Cipher of the ssh -R peer, as ssh -c takes it, e.g. aes128-gcm@openssh.com"
                    + " (default: OpenSSH's own choice, chacha20-poly1305@openssh.com today).")
    String sshCipher;

    @Option(
            names = "--stream-window-mib",
            paramLabel = "MiB",
            scope = ScopeType.INHERIT,
            description = "The relay's initial HTTP/2 window per link stream (default: ${DEFAULT-VALUE}).")
    int streamWindowMib = 16;

    @Option(
            names = "--link-window-mib",
            paramLabel = "MiB",
            scope = ScopeType.INHERIT,
            description = "The relay's HTTP/2 window per link (default: ${DEFAULT-VALUE}).")
    int linkWindowMib = 64;

    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            scope = ScopeType.INHERIT,
            description = "Show this help, every option with its default.")
    boolean help;

    void validate() {
        Check.atLeast("--rounds", rounds, 1);
        Check.atLeast("--stream-window-mib", streamWindowMib, 1);
        Check.atLeast("--link-window-mib", linkWindowMib, 1);
    }
}
