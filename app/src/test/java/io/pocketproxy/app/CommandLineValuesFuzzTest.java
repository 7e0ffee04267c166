package io.pocketproxy.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.pocketproxy.server.ByteSize;
import java.time.Duration;
import picocli.CommandLine;

/**
 * Fuzzes the durations and sizes of the command line: a value is refused with picocli's conversion error (which
 * picocli shows as "Invalid value for option ...: why"), never another exception; a size read is exactly what
 * {@link ByteSize} reads (the number times its unit), so no overflow can turn a huge value into a small one; and
 * what the options print as defaults reads back to the same value.
 */
class CommandLineValuesFuzzTest {

    @FuzzTest
    void readsASizeExactlyOrRefusesIt(FuzzedDataProvider data) {
        String text = data.consumeRemainingAsString();
        int bytes;
        try {
            bytes = new SizeConverter().convert(text);
        } catch (CommandLine.TypeConversionException refused) {
            return;
        }
        // ByteSizeFuzzTest holds ByteSize's reading to the number and unit written, with unbounded arithmetic; an
        // option reads exactly that, or refuses what does not fit its int.
        assertThat((long) bytes).as("%s", text).isEqualTo(ByteSize.parse(text));
        assertThat(new SizeConverter().convert(ByteSize.format(bytes))).isEqualTo(bytes);
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
