package io.pocketproxy.server.usage;

import java.util.List;

/** A usage series as the API answers it: every step of the range, oldest first, empty ones as 0. */
public record UsageSeries(String step, List<UsagePoint> points) {}
