package io.pocketproxy.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * Fuzzes the durations and sizes of the command line: a value is refused with picocli's conversion error (which
 * picocli shows as "Invalid value for option ...: why"), never another exception; a size read is exactly the
 * number times its unit, worked out here with unbounded arithmetic, so no overflow can turn a huge value into a
 * small one; and what the options print as defaults reads back to the same value.
 */
class CommandLineValuesFuzzTest {

    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kmg]?)(i?b)?");

    @FuzzTest
    void readsASizeExactlyOrRefusesIt(FuzzedDataProvider data) {
        String text = data.consumeRemainingAsString();
        int bytes;
        try {
            bytes = new SizeConverter().convert(text);
        } catch (CommandLine.TypeConversionException refused) {
            return;
        }
        Matcher written = SIZE.matcher(text.strip().toLowerCase(Locale.ROOT));
        assertThat(written.matches()).as("%s read as a size", text).isTrue();
        int shift = "_kmg".indexOf(written.group(2).isEmpty() ? "_" : written.group(2)) * 10;
        assertThat(BigInteger.valueOf(bytes))
                .as("%s", text)
                .isEqualTo(new BigInteger(written.group(1)).shiftLeft(shift));
        assertThat(new SizeConverter().convert(SizeConverter.format(bytes))).isEqualTo(bytes);
    }

    @FuzzTest
    void readsADurationOrRefusesIt(FuzzedDataProvider data) {
        String text = data.consumeRemainingAsString();
        Duration duration;
        try {
            duration = new DurationConverter().convert(text);
        } catch (CommandLine.TypeConversionException refused) {
            return;
        }
        assertThat(duration).isNotNull();
        duration.toMillis(); // what every option does with it: must not overflow
        boolean whole = !duration.isNegative() && duration.getNano() % 1_000_000 == 0;
        if (whole) {
            assertThat(new DurationConverter().convert(DurationConverter.format(duration)))
                    .isEqualTo(duration);
        }
    }
}
