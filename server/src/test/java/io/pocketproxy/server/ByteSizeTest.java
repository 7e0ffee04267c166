package io.pocketproxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Sizes read one way wherever an operator writes them: an option of the command line or a cell of a spreadsheet. */
class ByteSizeTest {

    @Test
    void readsSizesAsTheDashboardShowsThem() {
        assertThat(ByteSize.parse("1073741824")).isEqualTo(1L << 30);
        assertThat(ByteSize.parse("1 GB")).isEqualTo(1L << 30);
        assertThat(ByteSize.parse("1GiB")).isEqualTo(1L << 30);
        assertThat(ByteSize.parse("512k")).isEqualTo(512L << 10);
        assertThat(ByteSize.parse("1.5 MB")).isEqualTo(3L << 19);
        assertThat(ByteSize.parse("2 tb")).isEqualTo(2L << 40);
    }

    @Test
    void refusesWhatIsNotASizeNamingWhereItCameFrom() {
        assertThatThrownBy(() -> ByteSize.parse("limit", "-1"))
                .hasMessage("limit: -1 is negative (expected: 0 or more)");
        assertThatThrownBy(() -> ByteSize.parse("limit", "lots"))
                .hasMessage("limit: 'lots' is not a size (expected: bytes, or e.g. 500 MB, 1.5 GB)");
        assertThatThrownBy(() -> ByteSize.parse("9000000 TB"))
                .hasMessage("9000000 TB is too large (expected: at most 8 EiB)");
    }

    @Test
    void formatsTheShortestFormItReadsBack() {
        for (long bytes : new long[] {0, 1000, 65536, 16L << 20, 3L << 30, 5L << 40}) {
            assertThat(ByteSize.parse(ByteSize.format(bytes))).isEqualTo(bytes);
        }
        assertThat(ByteSize.format(16L << 20)).isEqualTo("16MiB");
        assertThat(ByteSize.format(65536)).isEqualTo("64KiB");
        assertThat(ByteSize.format(1000)).isEqualTo("1000");
    }
}
