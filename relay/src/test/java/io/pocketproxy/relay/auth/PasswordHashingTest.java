package io.pocketproxy.relay.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class PasswordHashingTest {

    static final PasswordHashing hashing = new PasswordHashing(2);

    @AfterAll
    static void stop() {
        hashing.close();
    }

    @Test
    void hashesAtCost12AndVerifiesOnlyTheRightPassword() {
        String hash = hashing.hash("correct horse").join();

        assertThat(hash).startsWith("$2a$12$").doesNotContain("correct horse");
        assertThat(hashing.verify("correct horse", hash).join()).isTrue();
        assertThat(hashing.verify("wrong horse", hash).join()).isFalse();
    }

    @Test
    void spendsAFullCheckOnAMissingHashAndSaysNo() {
        long before = hashing.checks();

        assertThat(hashing.verify("anything", null).join()).isFalse();
        assertThat(hashing.checks()).isEqualTo(before + 1);
    }

    @Test
    void refusesToHashWhatBcryptWouldTruncate() {
        assertThat(PasswordHashing.fitsBcrypt("x".repeat(72))).isTrue();
        assertThat(PasswordHashing.fitsBcrypt("é".repeat(37))).isFalse(); // 74 bytes in UTF-8
        assertThatThrownBy(() -> hashing.hash("x".repeat(73))).isInstanceOf(IllegalArgumentException.class);
        assertThat(hashing.verify("x".repeat(73), "$2a$12$abcdefghijklmnopqrstuu")
                        .join())
                .isFalse();
    }

    @Test
    void runsOnItsOwnThreads() {
        String thread = java.util.concurrent.CompletableFuture.supplyAsync(() -> "")
                .thenCompose(ignored -> hashing.hash("some password"))
                .thenApply(hash -> Thread.currentThread().getName())
                .join();

        assertThat(thread).startsWith("bcrypt-");
    }
}
