package io.pocketproxy.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code pocketproxy server --help} shows every default, and the README's options table says the same:
 * the defaults are written once (ServerConfig's builder), and this test is what keeps the table true.
 */
class ServerHelpTest {

    private static final Pattern OPTION = Pattern.compile("--[a-z][a-z-]*");

    @Test
    void helpShowsEveryDefault() {
        CommandLine server = serverCommand();
        String help = server.getUsageMessage(CommandLine.Help.Ansi.OFF).replaceAll("\\s+", " ");

        for (OptionSpec option : options(server)) {
            String value = defaultOf(option);
            if (value != null) {
                assertThat(help).as(option.longestName()).contains("default: " + value);
            }
        }
        assertThat(help).contains("(default: 2m)", "(default: 16MiB)", "(default: 30s,2m,10m,1h,6h)");
    }

    @Test
    void readmeTableListsEveryOptionWithTheDefaultHelpShows() throws IOException {
        Map<String, String> readme = readmeTable();
        CommandLine server = serverCommand();
        List<String> names = new ArrayList<>();

        for (OptionSpec option : options(server)) {
            String name = option.longestName();
            names.add(name);
            assertThat(readme).as("README options table").containsKey(name);
            String value = defaultOf(option);
            if (value != null) {
                assertThat(readme.get(name)).as("README default of " + name).isEqualTo("`" + value + "`");
            } else {
                assertThat(readme.get(name))
                        .as("README default of " + name + ", which has none")
                        .doesNotStartWith("`");
            }
        }
        assertThat(names).as("options the README lists").containsAll(readme.keySet());
    }

    private static CommandLine serverCommand() {
        CommandLine commandLine = new CommandLine(new ServerCommand());
        commandLine.setDefaultValueProvider(new EnvironmentDefaults(Map.of())); // as Main does, without the environment
        commandLine.setUsageHelpWidth(1000);
        return commandLine;
    }

    private static List<OptionSpec> options(CommandLine commandLine) {
        return commandLine.getCommandSpec().options().stream()
                .filter(option -> !option.usageHelp() && !option.versionHelp())
                .toList();
    }

    private static String defaultOf(OptionSpec option) {
        String value = option.defaultValueString();
        return value == null || value.equals("null") ? null : value;
    }

    /** The table under "## Running a server": option name to the text of its default column. */
    private static Map<String, String> readmeTable() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("..", "README.md"));
        int header = lines.indexOf("| option | default | meaning |");
        assertThat(header).as("the README's options table").isNotNegative();
        Map<String, String> table = new LinkedHashMap<>();
        for (int i = header + 2; i < lines.size() && lines.get(i).startsWith("|"); i++) {
            String[] cells = lines.get(i).split("\\|");
            Matcher names = OPTION.matcher(cells[1]);
            while (names.find()) {
                table.put(names.group(), cells[2].strip());
            }
        }
        return table;
    }
}
