package io.pocketproxy.link;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes the pairing string an operator pastes into an agent: refused with a message that never repeats
 * the device token, or read into a pairing that prints as a string reading back to the same pairing.
 */
class PairingStringFuzzTest {

    @FuzzTest
    void readsAPairingOrRefusesItWithoutShowingTheToken(FuzzedDataProvider data) {
        String text = data.consumeRemainingAsString();
        PairingString pairing;
        try {
            pairing = PairingString.parse(text);
        } catch (IllegalArgumentException refused) {
            assertThat(refused.getMessage()).isNotNull();
            String token = tokenIn(text);
            if (token.length() >= 16 && !elsewhere(text, token)) {
                assertThat(refused.getMessage()).doesNotContain(token);
            }
            return;
        }
        assertThat(pairing.deviceToken()).matches("[A-Za-z0-9_-]{16,128}");
        assertThat(pairing.relayFingerprint()).matches("[A-Za-z0-9_-]{43}");
        assertThat(PairingString.parse(pairing.toString())).isEqualTo(pairing);
    }

    /**
     * Whether {@code token} also stands outside the token's place, in the scheme or the host: a message may name
     * those (found by fuzzing: a scheme that repeated the token).
     */
    private static boolean elsewhere(String text, String token) {
        int start = text.indexOf("://");
        int at = text.indexOf('@', start);
        return (text.substring(0, start + 3) + text.substring(at)).contains(token);
    }

    /** What stands where the token goes, between {@code ://} and the {@code @} before the host. */
    private static String tokenIn(String text) {
        int start = text.indexOf("://");
        int at = text.indexOf('@', Math.max(start, 0));
        return start >= 0 && at > start ? text.substring(start + 3, at) : "";
    }
}
