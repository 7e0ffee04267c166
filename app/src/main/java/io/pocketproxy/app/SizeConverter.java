package io.pocketproxy.app;

import io.pocketproxy.server.ByteSize;
import picocli.CommandLine;

/**
 * Sizes on the command line as {@link ByteSize} reads them ({@code 65536}, {@code 512KiB}, {@code 4MiB}), for options
 * held in an {@code int}.
 */
final class SizeConverter implements CommandLine.ITypeConverter<Integer> {

    @Override
    public Integer convert(String value) {
        long bytes;
        try {
            bytes = ByteSize.parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
        if (bytes > Integer.MAX_VALUE) {
            throw new CommandLine.TypeConversionException("'" + value + "' is too large (expected: less than 2GiB)");
        }
        return (int) bytes;
    }
}
