package io.pocketproxy.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class BackoffTest {

    private final Backoff backoff = Backoff.defaults();

    @RepeatedTest(20)
    void doublesFromOneSecondWithJitter() {
        assertThat(backoff.delayAfter(0)).isBetween(Duration.ofMillis(500), Duration.ofSeconds(1));
        assertThat(backoff.delayAfter(1)).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(2));
        assertThat(backoff.delayAfter(3)).isBetween(Duration.ofSeconds(4), Duration.ofSeconds(8));
    }

    @RepeatedTest(20)
    void neverWaitsMoreThanAMinute() {
        assertThat(backoff.delayAfter(6)).isBetween(Duration.ofSeconds(30), Duration.ofSeconds(60));
        assertThat(backoff.delayAfter(1000)).isBetween(Duration.ofSeconds(30), Duration.ofSeconds(60));
    }

    @Test
    void refusesAnUpsideDownRange() {
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(10), Duration.ofSeconds(1)))
                .hasMessageContaining("expected: 0 < initial <= max");
    }
}
