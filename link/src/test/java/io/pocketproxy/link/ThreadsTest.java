package io.pocketproxy.link;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.ThreadFactory;
import org.junit.jupiter.api.Test;

class ThreadsTest {

    @Test
    void makesNumberedDaemonThreads() {
        ThreadFactory factory = Threads.daemon("usage-meters");

        Thread first = factory.newThread(() -> {});
        Thread second = factory.newThread(() -> {});

        assertThat(first.getName()).isEqualTo("usage-meters-1");
        assertThat(second.getName()).isEqualTo("usage-meters-2");
        assertThat(first.isDaemon()).isTrue();
    }
}
