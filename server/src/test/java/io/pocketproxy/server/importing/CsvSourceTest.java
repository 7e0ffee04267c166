package io.pocketproxy.server.importing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pocketproxy.relay.directory.ConnectionType;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import org.junit.jupiter.api.Test;

/** Reading customers from a spreadsheet's CSV: what is accepted, and how each bad line is reported. */
class CsvSourceTest {

    @Test
    void readsColumnsInAnyOrderWithQuotesUnitsAndAByteOrderMark() throws IOException {
        SourceRows rows = read("\uFEFFdevice,username,password,bandwidth_limit,bandwidth_used,type\n"
                + "\"Phone \"\"A\"\", spare\",alice,\"pass,word\",1.5 GB,512KiB,Socks5\n");

        assertThat(rows.errors()).isEmpty();
        ImportRow alice = rows.rows().get(0);
        assertThat(alice.device().name()).isEqualTo("Phone \"A\", spare");
        assertThat(alice.plaintext()).isEqualTo("pass,word");
        assertThat(alice.bandwidthLimit()).isEqualTo(3L << 29);
        assertThat(alice.bandwidthUsed()).isEqualTo(512 * 1024);
        assertThat(alice.type()).isEqualTo(ConnectionType.SOCKS5);
        assertThat(alice.toString()).doesNotContain("pass,word");
    }

    @Test
    void reportsEachBadLineWithItsNumberAndNeverThePassword() throws IOException {
        SourceRows rows = read("username,password,device\n"
                + "ok,secret-1,Phone\n"
                + "\n"
                + "colon:name,secret-2,Phone\n"
                + "toolong," + "x".repeat(73) + ",Phone\n"
                + "nodevice,secret-3,\n"
                + "ok,secret-4,Phone\n");

        SourceRows unique = rows.withoutRepeatedUsernames();

        assertThat(unique.rows()).extracting(ImportRow::username).containsExactly("ok");
        assertThat(unique.errors())
                .extracting(RowError::toString)
                .containsExactly(
                        "line 4: username: 'colon:name' (expected: at most 255 bytes, no colon or control characters)",
                        "line 5: password: longer than 72 bytes, which bcrypt cannot take whole (expected: a shorter"
                                + " password)",
                        "line 6: device: missing (expected: the name of the device it runs through)",
                        "line 7: username ok repeats line 2 (expected: unique)");
    }

    @Test
    void refusesAHeaderItDoesNotUnderstand() {
        assertThatThrownBy(() -> read("username,pasword,device\n"))
                .hasMessage("customers.csv: line 1 has column 'pasword' (expected a header of: "
                        + CsvSource.EXPECTED_COLUMNS + ")");
        assertThatThrownBy(() -> read("username,device\n"))
                .hasMessage(
                        "customers.csv: line 1 has neither 'password' nor 'password_hash' (expected: at least one)");
    }

    private static SourceRows read(String csv) throws IOException {
        return CsvSource.read("customers.csv", new BufferedReader(new StringReader(csv)));
    }
}
