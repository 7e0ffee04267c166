package io.pocketproxy.link.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketproxy.link.LinkSettings;
import io.pocketproxy.testkit.NettyLeakDetection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The link's receive windows, between the link's two real codecs over loopback TCP. Checked for leaks: its stalled
 * streams' buffers were once lost at close, and only a later class in the same JVM was blamed for them.
 */
@ExtendWith(NettyLeakDetection.class)
class GrowingStreamWindowsTest {

    private static final int MIB = 1024 * 1024;
    private static final int INITIAL = LinkSettings.INITIAL_STREAM_WINDOW;
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    private static LinkSettings windows(int maxStreamWindow, int linkWindow) {
        return new LinkSettings(maxStreamWindow, linkWindow, 1000, Duration.ofSeconds(15), 2);
    }

    @Test
    void aStreamWhoseReaderKeepsUpEarnsTheLargestWindow() throws Exception {
        try (LinkPair link = new LinkPair(windows(4 * MIB, 8 * MIB))) {
            LinkPair.Download download = link.download(64L * MIB, true);

            await().atMost(PATIENCE).until(() -> download.received.get() == 64L * MIB);

            assertThat(download.largestWindow.get()).isEqualTo(4 * MIB);
        }
    }

    @Test
    void readersWhoStopHoldOnlyTheirOwnStreamsNotTheLink() throws Exception {
        // A link window of 1 MiB: four stalled streams' 256 KiB would exhaust it if what they hold counted.
        try (LinkPair link = new LinkPair(windows(MIB, MIB))) {
            List<LinkPair.Download> stalled = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                stalled.add(link.download(8L * MIB, false));
            }
            // Each stalled stream took its whole initial window and no more.
            await().atMost(PATIENCE).until(() -> allHoldTheirInitialWindow(stalled));

            LinkPair.Download flowing = link.download(8L * MIB, true);

            await().atMost(PATIENCE).until(() -> flowing.received.get() == 8L * MIB);
            for (LinkPair.Download download : stalled) {
                assertThat(download.window()).isEqualTo(INITIAL);
            }
        }
    }

    @Test
    void whatStreamsEarnComesOutOfTheLinkBudgetAndGoesBackWhenTheyClose() throws Exception {
        int budget = 4 * MIB;
        try (LinkPair link = new LinkPair(windows(4 * MIB, budget))) {
            // Both read fast, then stop with their streams open: each keeps what it earned.
            LinkPair.Download first = link.download(256L * MIB, 64L * MIB);
            LinkPair.Download second = link.download(256L * MIB, 64L * MIB);
            await().atMost(PATIENCE)
                    .until(() -> first.received.get() >= 64L * MIB && second.received.get() >= 64L * MIB);

            int earned = first.window() - INITIAL + second.window() - INITIAL;
            assertThat(earned).isGreaterThan(MIB).isLessThanOrEqualTo(budget);
            assertThat(link.budgetLeft()).isEqualTo(budget - earned);

            first.close();
            second.close();
            await().atMost(PATIENCE).until(() -> link.budgetLeft() == budget);
        }
    }

    private static boolean allHoldTheirInitialWindow(List<LinkPair.Download> downloads) throws Exception {
        for (LinkPair.Download download : downloads) {
            if (download.unconsumed() != INITIAL) {
                return false;
            }
        }
        return true;
    }
}
