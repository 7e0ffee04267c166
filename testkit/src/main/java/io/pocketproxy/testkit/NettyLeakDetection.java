package io.pocketproxy.testkit;

import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty reported a leak while it ran: a {@code ByteBuf} nobody released is a bug,
 * whichever path dropped it. Leaks are noticed after the garbage collector found the lost buffer, so
 * {@link #afterAll} collects garbage and allocates until the detector has looked.
 *
 * <p>A real fuzzing run ({@code JAZZER_FUZZ} set, see {@code bench/run fuzz}) may use a cheaper sampling level
 * for speed: PARANOID tracks every access of every buffer. Its fuzz target is one test class, so the check
 * still runs once at the end of each target.
 */
public final class NettyLeakDetection implements BeforeAllCallback, AfterAllCallback {

    @Override
    public void beforeAll(ExtensionContext context) {
        if (ResourceLeakDetector.getLevel() != ResourceLeakDetector.Level.PARANOID && !fuzzing()) {
            throw new IllegalStateException("Netty leak detection is " + ResourceLeakDetector.getLevel()
                    + " (expected: PARANOID, set by the build's -Dio.netty.leakDetection.level)");
        }
        // Buffers lost by earlier classes in this JVM (which may not check) are found whenever the collector runs:
        // have them found now, so that a leak is reported against the class that lost it or not at all.
        collectGarbage();
        RecordingLeakDetector.LEAKS.clear();
    }

    /** Collects garbage and allocates, which is when the detector looks for lost buffers. */
    private static void collectGarbage() {
        for (int round = 0; round < 5; round++) {
            System.gc();
            for (int i = 0; i < 100; i++) {
                ByteBufAllocator.DEFAULT.buffer(16).release();
            }
        }
    }

    private static boolean fuzzing() {
        String fuzz = System.getenv("JAZZER_FUZZ");
        return fuzz != null && !fuzz.isEmpty();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        collectGarbage();
        if (!RecordingLeakDetector.LEAKS.isEmpty()) {
            String report = String.join("\n\n", RecordingLeakDetector.LEAKS);
            int count = RecordingLeakDetector.LEAKS.size();
            RecordingLeakDetector.LEAKS.clear();
            throw new AssertionError("Netty reported " + count + " leak(s):\n" + report);
        }
    }
}
