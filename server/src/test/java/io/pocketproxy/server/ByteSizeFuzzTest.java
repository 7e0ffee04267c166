package io.pocketproxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Fuzzes the byte counts read from the command line and an operator's spreadsheet: refused with an
 * {@link IllegalArgumentException} naming the column, or read as a count of 0 or more that agrees with the
 * number and unit written (worked out here on its own, with unbounded arithmetic).
 */
class ByteSizeFuzzTest {

    @FuzzTest
    void readsASizeOrRefusesItNamingTheColumn(FuzzedDataProvider data) {
        String text = data.consumeRemainingAsString();
        long bytes;
        try {
            bytes = ByteSize.parse("bandwidth_limit", text);
        } catch (IllegalArgumentException refused) {
            assertThat(refused.getMessage()).startsWith("bandwidth_limit: ");
            return;
        }
        assertThat(bytes).isNotNegative();
        String written = text.strip().toLowerCase(java.util.Locale.ROOT);
        String number = written.replaceAll("[^0-9.\\-].*$", "").strip();
        int unit = "kmgt"
                .indexOf(
                        written.replaceAll("^[0-9.\\-\\s]+", "").isEmpty()
                                ? 'x'
                                : written.replaceAll("^[0-9.\\-\\s]+", "").charAt(0));
        BigDecimal expected = new BigDecimal(number)
                .multiply(BigDecimal.valueOf(1024).pow(unit + 1))
                .setScale(0, RoundingMode.HALF_UP);
        assertThat(BigDecimal.valueOf(bytes)).as("%s", text).isEqualByComparingTo(expected);
    }
}
