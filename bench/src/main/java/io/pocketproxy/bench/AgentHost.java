package io.pocketproxy.bench;

import io.pocketproxy.agent.Agent;
import io.pocketproxy.agent.AgentConfig;
import io.pocketproxy.link.PairingString;
import java.io.IOException;

/**
 * An agent under test, in its own process. Arguments: the pairing string, and optionally the
 * {@code host:port} to dial instead of the relay's (the delay line). Prints "linked" when linked.
 */
public final class AgentHost {

    private AgentHost() {}

    public static void main(String[] args) throws IOException {
        PairingString pairing = PairingString.parse(args[0]);
        if (args.length > 1) {
            String[] via = args[1].split(":");
            pairing = new PairingString(
                    via[0], Integer.parseInt(via[1]), pairing.deviceToken(), pairing.relayFingerprint());
        }
        Agent agent = Agent.start(AgentConfig.fromPairing(pairing, true));
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (agent.state() != Agent.State.LINKED && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(10_000_000L);
        }
        System.out.println(agent.state() == Agent.State.LINKED ? "linked" : "not linked");
        System.out.flush();
        Child.serveCommands(agent::close);
    }
}
