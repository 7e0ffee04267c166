package io.pocketproxy.app;

import io.pocketproxy.server.db.DatabaseUrls;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * Warns about secrets given on the command line, where every local user can read them ({@code ps},
 * {@code /proc/PID/cmdline}), and says where they belong instead. Only the option is named, never its value. Options
 * from the environment are not matched on the command line, so they pass silently.
 */
final class CommandLineSecrets {

    private static final Logger log = LoggerFactory.getLogger(CommandLineSecrets.class);

    /** Each secret option, and where to give it instead. */
    private static final Map<String, String> SAFER_PLACE = Map.of(
            "--pair", "--pair-file or POCKETPROXY_PAIR",
            "--token", "POCKETPROXY_TOKEN",
            "--admin-password", "POCKETPROXY_ADMIN_PASSWORD",
            "--metrics-token", "POCKETPROXY_METRICS_TOKEN",
            "--database-url", "POCKETPROXY_DATABASE_URL",
            "--from", "POCKETPROXY_FROM or --from-file");

    private CommandLineSecrets() {}

    /** Logs a warning for each secret {@code command} was given on its command line; nothing before it was parsed. */
    static void warnAbout(CommandSpec command) {
        if (command == null || command.commandLine() == null) {
            return;
        }
        ParseResult parsed = command.commandLine().getParseResult();
        if (parsed == null) {
            return;
        }
        for (OptionSpec option : parsed.matchedOptions()) {
            String name = option.longestName();
            String saferPlace = SAFER_PLACE.get(name);
            if (saferPlace == null || !isSecret(name, option.getValue())) {
                continue;
            }
            log.warn(
                    "{} was given on the command line, where every local user can read it (ps); give it in {} instead",
                    name,
                    saferPlace);
        }
    }

    /** A database URL is a secret only when it carries a password. */
    private static boolean isSecret(String option, Object value) {
        if (option.equals("--database-url") || option.equals("--from")) {
            return value instanceof String url && !DatabaseUrls.masked(url).equals(url);
        }
        return value != null;
    }
}
