package io.pocketproxy.link;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class TokenDigestTest {

    @Test
    void isTheSha256OfTheTokensUtf8Bytes() {
        // sha256("abc"), FIPS 180-2 appendix B.1: relay and control plane must both arrive at it.
        assertThat(HexFormat.of().formatHex(TokenDigest.of("abc")))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
