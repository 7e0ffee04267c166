package io.pocketproxy.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketproxy.agent.AgentConfig;
import io.pocketproxy.testkit.LogCapture;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Secrets on a command line are visible to every local user ({@code ps}): each one can come from a file or the
 * environment instead, and one given on the command line anyway is warned about, without its value.
 */
class SecretsOnTheCommandLineTest {

    @RegisterExtension
    static final LogCapture logs = new LogCapture();

    private static final String TOKEN = "ppd_abcdefghijklmnopqrstuvwxyz012345";
    private static final String FINGERPRINT = "a".repeat(43);
    private static final String PAIRING = "pocketproxy://" + TOKEN + "@relay.example.com:8443?fp=" + FINGERPRINT;

    @TempDir
    Path directory;

    @Test
    void theAgentReadsItsPairingStringFromAFile() throws IOException {
        Path file = Files.writeString(directory.resolve("pairing"), PAIRING + "\n");

        AgentConfig config = agent(Map.of(), "--pair-file", file.toString());

        assertThat(config.relayAddress()).isEqualTo("relay.example.com:8443");
    }

    @Test
    void theAgentTakesItsPairingStringFromTheEnvironment() {
        AgentConfig config = agent(Map.of("POCKETPROXY_PAIR", PAIRING));

        assertThat(config.relayAddress()).isEqualTo("relay.example.com:8443");
    }

    @Test
    void warnsWhenThePairingStringIsOnTheCommandLineWithoutLoggingIt() {
        List<String> logged = loggedWhile(() -> agent(Map.of(), "--pair", PAIRING));

        assertThat(logged)
                .anySatisfy(line -> assertThat(line).startsWith("WARN").contains("--pair"));
        assertThat(String.join("\n", logged)).doesNotContain(TOKEN);
    }

    @Test
    void warnsWhenADatabasePasswordIsOnTheCommandLineWithoutLoggingIt() {
        List<String> logged =
                loggedWhile(() -> server(Map.of(), "--database-url", "postgresql://pp:s3cret@db.internal/pp"));

        assertThat(logged)
                .anySatisfy(line -> assertThat(line).startsWith("WARN").contains("--database-url"));
        assertThat(String.join("\n", logged)).doesNotContain("s3cret");
    }

    @Test
    void saysNothingWhenTheSecretsComeFromTheEnvironment() {
        List<String> logged = loggedWhile(() -> {
            server(Map.of("POCKETPROXY_DATABASE_URL", "postgresql://pp:s3cret@db.internal/pp"));
            agent(Map.of("POCKETPROXY_PAIR", PAIRING));
        });

        assertThat(logged).noneMatch(line -> line.startsWith("WARN"));
    }

    @Test
    void saysNothingAboutADatabaseUrlWithoutAPassword() {
        List<String> logged =
                loggedWhile(() -> server(Map.of(), "--database-url", "jdbc:postgresql://db.internal/pp?user=pp"));

        assertThat(logged).noneMatch(line -> line.startsWith("WARN"));
    }

    @Test
    void theImportsSourceUrlIsWarnedAboutOnTheCommandLineAndNeverShown() {
        String url = "postgresql://old:0ld-s3cret@127.0.0.1:1/pocketproxy";
        StringWriter err = new StringWriter();
        List<String> logged = loggedWhile(() -> importLegacy(Map.of(), err, "--from", url));

        assertThat(logged)
                .anySatisfy(line -> assertThat(line).startsWith("WARN").contains("--from"));
        assertThat(err.toString()).contains("--from: cannot read jdbc:postgresql://127.0.0.1:1/pocketproxy");
        assertThat(String.join("\n", logged) + err).doesNotContain("0ld-s3cret");
    }

    @Test
    void theImportTakesItsSourceUrlFromTheEnvironmentOrAFileWithoutAWord() throws IOException {
        String url = "postgresql://old:0ld-s3cret@127.0.0.1:1/pocketproxy";
        Path file = Files.writeString(directory.resolve("from"), url + "\n");
        StringWriter err = new StringWriter();
        List<String> logged = loggedWhile(() -> {
            importLegacy(Map.of("POCKETPROXY_FROM", url), err);
            importLegacy(Map.of(), err, "--from-file", file.toString());
        });

        assertThat(logged).noneMatch(line -> line.startsWith("WARN"));
        // Both reached the source (which is not there): the URL was taken, and its password is shown nowhere.
        assertThat(err.toString().split("--from: cannot read jdbc:postgresql://127.0.0.1:1/pocketproxy", -1))
                .hasSize(3);
        assertThat(String.join("\n", logged) + err).doesNotContain("0ld-s3cret");
    }

    private static void importLegacy(Map<String, String> environment, StringWriter err, String... args) {
        CommandLine commandLine = Main.commandLine();
        commandLine.setDefaultValueProvider(new EnvironmentDefaults(environment));
        commandLine.setErr(new java.io.PrintWriter(err, true));
        List<String> all = new java.util.ArrayList<>(List.of("import", "legacy", "--owner", "owner@example.com"));
        all.addAll(List.of(args));
        assertThat(commandLine.execute(all.toArray(String[]::new))).isEqualTo(1);
    }

    private static List<String> loggedWhile(Runnable action) {
        int before = logs.lines().size();
        action.run();
        List<String> all = logs.lines();
        return all.subList(before, all.size());
    }

    private static AgentConfig agent(Map<String, String> environment, String... args) {
        AgentCommand agent = new AgentCommand();
        CommandLine commandLine = new CommandLine(agent);
        commandLine.setDefaultValueProvider(new EnvironmentDefaults(environment));
        commandLine.parseArgs(args);
        return agent.config();
    }

    private static void server(Map<String, String> environment, String... args) {
        ServerCommand command = new ServerCommand();
        CommandLine commandLine = new CommandLine(command);
        commandLine.setDefaultValueProvider(new EnvironmentDefaults(environment));
        commandLine.parseArgs(args);
        command.options.toConfig();
    }
}
