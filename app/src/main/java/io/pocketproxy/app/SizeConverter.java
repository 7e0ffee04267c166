package io.pocketproxy.app;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** Reads byte sizes as people write them: {@code 65536}, {@code 512KiB}, {@code 4MiB}, {@code 1GiB} (also KB/MB/GB as powers of 1024). */
final class SizeConverter implements CommandLine.ITypeConverter<Integer> {

    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kmg]?)(i?b)?");

    /** The shortest form {@link #convert} reads back: {@code 16MiB} rather than {@code 16777216}. */
    static String format(int bytes) {
        for (String unit : new String[] {"GiB", "MiB", "KiB"}) {
            int shift = unit.equals("GiB") ? 30 : unit.equals("MiB") ? 20 : 10;
            if (bytes != 0 && bytes % (1 << shift) == 0) {
                return (bytes >> shift) + unit;
            }
        }
        return Integer.toString(bytes);
    }

    @Override
    public Integer convert(String value) {
        Matcher matcher = SIZE.matcher(value.strip().toLowerCase(Locale.ROOT));
        if (!matcher.matches()) {
            throw new CommandLine.TypeConversionException(
                    "'" + value + "' is not a size (expected: e.g. 65536, 512KiB, 4MiB)");
        }
        int shift = switch (matcher.group(2)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            default -> 0;
        };
        // Checked before shifting: a long shifted past its top bit wraps, and 17179869184g would read as 0.
        String digits = matcher.group(1).replaceFirst("^0+(?=.)", "");
        if (digits.length() > 10 || Long.parseLong(digits) > (Integer.MAX_VALUE >> shift)) {
            throw new CommandLine.TypeConversionException("'" + value + "' is too large (expected: less than 2GiB)");
        }
        long bytes = Long.parseLong(digits) << shift;
        return (int) bytes;
    }
}
