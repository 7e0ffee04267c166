package io.pocketproxy.app;

import java.util.concurrent.CountDownLatch;
import org.slf4j.LoggerFactory;

/**
 * How a long-running command ends: it serves until SIGTERM or Ctrl-C, then closes its parts in the order
 * given before the JVM exits, so usage is flushed and PostgreSQL stopped cleanly.
 */
final class UntilStopped {

    private UntilStopped() {}

    static void await(AutoCloseable... parts) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            for (AutoCloseable part : parts) {
                                try {
                                    part.close();
                                } catch (Exception e) {
                                    LoggerFactory.getLogger(UntilStopped.class)
                                            .warn(
                                                    "{} did not stop cleanly",
                                                    part.getClass().getSimpleName(),
                                                    e);
                                }
                            }
                            stopped.countDown();
                        },
                        "shutdown"));
        stopped.await();
    }
}
