package io.pocketproxy.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketproxy.testkit.SettableClock;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * What an operator watches during the minutes of an import: on a terminal a bar redrawn in place with count, rate and
 * time left; in a log one plain line per interval. Time comes from a settable clock.
 */
class ProgressDisplayTest {

    private final SettableClock clock = new SettableClock(Instant.parse("2025-01-01T00:00:00Z"));
    private final StringWriter written = new StringWriter();

    @Test
    void aTerminalShowsABarWithCountRateAndTimeLeftRedrawnInPlace() {
        ProgressDisplay progress = display(true);
        progress.start("hashing", 100);

        clock.advance(Duration.ofSeconds(10));
        progress.advance(25);

        assertThat(written.toString())
                .isEqualTo("\r[#######                       ] hashing 25/100 (2.5/s, about 0:30 left)\u001b[K");
    }

    @Test
    void aTerminalRedrawsAtMostFiveTimesASecond() {
        ProgressDisplay progress = display(true);
        progress.start("writing", 1000);
        clock.advance(Duration.ofMillis(200));
        progress.advance(1);
        String once = written.toString();

        clock.advance(Duration.ofMillis(199));
        progress.advance(2);

        assertThat(written.toString()).isEqualTo(once);
    }

    @Test
    void aTerminalEndsThePhaseWithAFullBarOnALineOfItsOwn() {
        ProgressDisplay progress = display(true);
        progress.start("writing", 40);
        clock.advance(Duration.ofSeconds(2));
        progress.advance(40);
        written.getBuffer().setLength(0);

        progress.finish();

        assertThat(written.toString())
                .isEqualTo(
                        "\r[##############################] writing 40/40 (20.0/s)\u001b[K" + System.lineSeparator());
    }

    @Test
    void timeLeftOverAnHourShowsHours() {
        ProgressDisplay progress = display(true);
        progress.start("hashing", 10_000);

        clock.advance(Duration.ofSeconds(100));
        progress.advance(200);

        // 9,800 rows left at 2 rows/s: 4,900 s.
        assertThat(written.toString()).contains("hashing 200/10000 (2.0/s, about 1:21:40 left)");
    }

    @Test
    void elsewhereOnePlainLinePerIntervalWithoutControlCharacters() {
        ProgressDisplay progress = display(false);
        progress.start("hashing", 100);
        clock.advance(Duration.ofSeconds(4));
        progress.advance(10); // before the interval: nothing
        clock.advance(Duration.ofSeconds(1));
        progress.advance(20);
        clock.advance(Duration.ofSeconds(1));
        progress.advance(30); // one second after the last line: nothing
        progress.finish();

        assertThat(written.toString())
                .isEqualTo(lines("hashing 20/100 (4.0/s, about 0:20 left)", "hashing 30/100 (5.0/s, about 0:14 left)"));
    }

    @Test
    void anEmptyPhaseShowsNothing() {
        ProgressDisplay progress = display(false);
        progress.start("verifying", 0);

        progress.finish();

        assertThat(written.toString()).isEmpty();
    }

    private ProgressDisplay display(boolean terminal) {
        return new ProgressDisplay(new PrintWriter(written), terminal, Duration.ofSeconds(5), clock);
    }

    private static String lines(String... lines) {
        return String.join(System.lineSeparator(), lines) + System.lineSeparator();
    }
}
