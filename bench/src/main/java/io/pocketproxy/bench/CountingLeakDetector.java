package io.pocketproxy.bench;

import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Netty's leak detector at its default, sampling level (PARANOID would slow a long soak to a crawl), keeping
 * what it reports so the soak can fail on it. {@link #install} must run before Netty's first buffer.
 */
public final class CountingLeakDetector<T> extends ResourceLeakDetector<T> {

    private static final List<String> LEAKS = new CopyOnWriteArrayList<>();

    public CountingLeakDetector(Class<?> resourceType, int samplingInterval) {
        super(resourceType, samplingInterval);
    }

    /** Netty looks for this older constructor too, and complains when it is missing. */
    @SuppressWarnings("deprecation")
    public CountingLeakDetector(Class<?> resourceType, int samplingInterval, long maxActive) {
        super(resourceType, samplingInterval, maxActive);
    }

    static void install() {
        System.setProperty("io.netty.customResourceLeakDetector", CountingLeakDetector.class.getName());
        System.setProperty("io.netty.leakDetection.level", "simple");
    }

    /** Leaks reported so far, after collecting garbage and allocating: when the detector looks for lost buffers. */
    static List<String> reported() {
        for (int round = 0; round < 5; round++) {
            System.gc();
            for (int i = 0; i < 1_000; i++) {
                ByteBufAllocator.DEFAULT.buffer(16).release();
            }
        }
        return List.copyOf(LEAKS);
    }

    @Override
    protected void reportTracedLeak(String resourceType, String records) {
        LEAKS.add("LEAK: " + resourceType + records);
        super.reportTracedLeak(resourceType, records);
    }

    @Override
    protected void reportUntracedLeak(String resourceType) {
        LEAKS.add("LEAK: " + resourceType + " (untraced)");
        super.reportUntracedLeak(resourceType);
    }
}
