package io.pocketproxy.app;

import io.pocketproxy.server.ByteSize;
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
            return written(option, option.initialValue());
        }
        return null;
    }

    /**
     * An option's built-in default (its field's first value, taken from {@code ServerConfig}) as one would
     * write it on the command line: what {@code --help} shows, and what picocli reads back.
     */
    static String written(OptionSpec option, Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof java.util.Collection<?> values) {
            return values.stream()
                    .map(element -> written(option, element))
                    .collect(java.util.stream.Collectors.joining(
                            option.splitRegex().isEmpty() ? " " : option.splitRegex()));
        }
        CommandLine.ITypeConverter<?>[] converters = option.converters();
        if (converters.length > 0
                && converters[0] instanceof DurationConverter
                && value instanceof java.time.Duration d) {
            return DurationConverter.format(d);
        }
        if (converters.length > 0 && converters[0] instanceof SizeConverter && value instanceof Integer bytes) {
            return ByteSize.format(bytes);
        }
        return value.toString();
    }

    /** {@code --api-port} → {@code POCKETPROXY_API_PORT}. */
    static String variableFor(String optionName) {
        return PREFIX + optionName.replaceFirst("^-+", "").replace('-', '_').toUpperCase(Locale.ROOT);
    }
}
