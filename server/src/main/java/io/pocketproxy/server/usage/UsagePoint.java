package io.pocketproxy.server.usage;

import java.time.Instant;

/** The bytes a connection or device moved in the hour or day that starts at {@code t}. */
public record UsagePoint(Instant t, long bytes) {}
