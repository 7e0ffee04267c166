package io.pocketproxy.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code ./pocketproxy}, the launcher: the agent gets a JVM sized for a small device (docs/benchmarks.md, "Memory: the
 * device side"), the operator can replace those settings, and no other command gets them. The JVM prints the settings
 * it runs with ({@code -XX:+PrintCommandLineFlags}, given through {@code JAVA_OPTS}) before the command prints its
 * version and exits.
 */
class LauncherIT {

    private static final long TIMEOUT_SECONDS = 120;

    @Test
    void startsTheAgentWithSmallDeviceSettings() throws Exception {
        String flags = jvmFlags(Map.of(), "agent");

        assertThat(flags)
                .contains("-XX:+UseSerialGC")
                .contains("-XX:InitialHeapSize=8388608")
                .contains("-XX:MaxHeapSize=67108864")
                .contains("-XX:MaxDirectMemorySize=67108864")
                .contains("-XX:TieredStopAtLevel=1");
    }

    @Test
    void letsTheOperatorReplaceTheAgentSettings() throws Exception {
        String flags = jvmFlags(Map.of("POCKETPROXY_AGENT_JAVA_OPTS", "-Xmx100m"), "agent");

        assertThat(flags)
                .contains("-XX:MaxHeapSize=104857600")
                .doesNotContain("UseSerialGC")
                .doesNotContain("TieredStopAtLevel");
    }

    @Test
    void leavesTheServerOnTheJvmDefaults() throws Exception {
        String flags = jvmFlags(Map.of(), "server");

        assertThat(flags).doesNotContain("UseSerialGC").doesNotContain("TieredStopAtLevel");
    }

    /** The first line {@code ./pocketproxy COMMAND --version} prints: the JVM's command-line flags. */
    private static String jvmFlags(Map<String, String> environment, String command)
            throws IOException, InterruptedException {
        Path launcher = PocketProxyProcess.jar()
                .toAbsolutePath()
                .getParent()
                .getParent()
                .getParent()
                .resolve("pocketproxy");
        Path output = Files.createTempFile("pocketproxy-launcher", ".txt");
        try {
            ProcessBuilder builder = new ProcessBuilder(List.of(launcher.toString(), command, "--version"))
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile());
            builder.environment().keySet().removeIf(name -> name.startsWith("POCKETPROXY_"));
            builder.environment().put("JAVA_OPTS", "-XX:+PrintCommandLineFlags");
            builder.environment().putAll(environment);
            Process process = builder.start();
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("./pocketproxy " + command + " --version still running after "
                        + TIMEOUT_SECONDS + " s; it printed: " + Files.readString(output));
            }
            String printed = Files.readString(output, StandardCharsets.UTF_8);
            assertThat(process.exitValue()).as(printed).isZero();
            return printed.lines().findFirst().orElse("");
        } finally {
            Files.deleteIfExists(output);
        }
    }
}
