package io.pocketproxy.bench;

import io.pocketproxy.agent.Agent;
import io.pocketproxy.agent.AgentConfig;
import io.pocketproxy.link.PairingString;
import java.io.IOException;

/**
 * An agent under test, in its own process. The pairing string (it holds the device token) comes in the
 * environment variable {@value #PAIRING_VARIABLE}, not on the command line where {@code ps} would show it;
 * the one optional argument is the {@code host:port} to dial instead of the relay's (a delay line). Prints
 * "linked" when linked.
 */
public final class AgentHost {

    static final String PAIRING_VARIABLE = "POCKETPROXY_BENCH_PAIRING";

    private AgentHost() {}

    public static void main(String[] args) throws IOException {
        String pairingString = System.getenv(PAIRING_VARIABLE);
        if (pairingString == null) {
            throw new IllegalStateException(PAIRING_VARIABLE + " is not set (expected: the device's pairing string)");
        }
        PairingString pairing = PairingString.parse(pairingString);
        if (args.length > 0) {
            String[] via = args[0].split(":");
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
