package io.pocketproxy.app;

import io.pocketproxy.agent.Agent;
import io.pocketproxy.agent.AgentConfig;
import io.pocketproxy.link.HostAndPort;
import io.pocketproxy.link.PairingString;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "agent",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Runs the device agent: links to a relay and carries customers' traffic out of this machine.")
final class AgentCommand implements Callable<Integer> {

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    static final class Target {
        @Option(
                names = "--pair",
                paramLabel = "STRING",
                description = "The pairing string shown when the device was created.")
        String pairing;

        @ArgGroup(exclusive = false)
        Explicit explicit;
    }

    static final class Explicit {
        @Option(names = "--relay", required = true, paramLabel = "HOST:PORT", description = "The relay's link address.")
        String relay;

        @Option(
                names = "--token",
                required = true,
                paramLabel = "TOKEN",
                description = "The device token (prefer POCKETPROXY_TOKEN: command lines are visible to local users).")
        String token;

        @Option(
                names = "--relay-fingerprint",
                paramLabel = "SHA256",
                description =
                        "The relay certificate's SHA-256 (base64url) to pin; without it the system CAs are trusted.")
        String fingerprint;
    }

    @Option(
            names = "--allow-private-targets",
            defaultValue = "false",
            description =
                    "Let customers reach loopback and private networks through this device (off: they are refused).")
    boolean allowPrivateTargets;

    @Override
    public Integer call() throws InterruptedException {
        Agent agent = Agent.start(config());
        UntilStopped.await(agent);
        return 0;
    }

    AgentConfig config() {
        if (target.pairing != null) {
            return AgentConfig.fromPairing(PairingString.parse(target.pairing), allowPrivateTargets);
        }
        HostAndPort relay;
        try {
            relay = HostAndPort.parse(target.explicit.relay.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--relay: " + e.getMessage(), e);
        }
        return AgentConfig.of(
                relay.host(),
                relay.port(),
                target.explicit.token.strip(),
                target.explicit.fingerprint,
                allowPrivateTargets);
    }
}
