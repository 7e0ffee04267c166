package io.pocketproxy.testkit;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * Checks a promise of the form "a change takes effect within T" when seeing the effect costs time of its own
 * (a refused sign-in is a bcrypt check, a quarter of a second or, on a busy machine, several): attempts are
 * made until one sees the effect, and it is the moment that attempt <em>began</em> that must lie within T of
 * the change. An attempt that began later than T after the change and still did not see it fails the check.
 */
public final class TakesEffect {

    private static final Duration GIVE_UP = Duration.ofSeconds(30);

    private TakesEffect() {}

    /**
     * @param changedAt {@link System#nanoTime()} when the change was made
     * @param attemptSeesIt one attempt; true when it saw the change take effect
     */
    public static void within(Duration promise, long changedAt, Callable<Boolean> attemptSeesIt) {
        long[] began = new long[1];
        await().atMost(GIVE_UP).pollInterval(Duration.ofMillis(50)).until(() -> {
            long start = System.nanoTime();
            if (attemptSeesIt.call()) {
                began[0] = start;
                return true;
            }
            return false;
        });
        Duration late = Duration.ofNanos(began[0] - changedAt);
        if (late.compareTo(promise) > 0) {
            throw new AssertionError("the first attempt that saw the change began " + late.toMillis()
                    + " ms after it (expected: within " + promise.toMillis() + " ms)");
        }
    }
}
