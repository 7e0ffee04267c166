package io.pocketproxy.app;

import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Lets every option come from the environment: {@code --api-port} from {@code POCKETPROXY_API_PORT}, and
 * so on. The command line wins over the environment, which wins over the built-in default. Secrets such
 * as the admin password belong in the environment: command lines are visible to every local user.
 */
final class EnvironmentDefaults implements CommandLine.IDefaultValueProvider {

    static final String PREFIX = "POCKETPROXY_";

    private final Map<String, String> environment;

    EnvironmentDefaults() {
        this(System.getenv());
    }

    EnvironmentDefaults(Map<String, String> environment) {
        this.environment = environment;
    }

    @Override
    public String defaultValue(ArgSpec argument) {
        if (argument instanceof OptionSpec option) {
            String value = environment.get(variableFor(option.longestName()));
            if (value != null) {
                return value;
            }
        }
        return null; // the option's own default
    }

    /** {@code --api-port} → {@code POCKETPROXY_API_PORT}. */
    static String variableFor(String optionName) {
        return PREFIX + optionName.replaceFirst("^-+", "").replace('-', '_').toUpperCase(Locale.ROOT);
    }
}
