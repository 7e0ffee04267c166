package io.pocketproxy.server.secrets;

import io.pocketproxy.link.TokenDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Random tokens and the digests we keep of them. A token carries 256 random bits, so a plain SHA-256
 * of it is a safe stored form: it cannot be brute-forced back, and it lets us look the token up.
 */
public final class Secrets {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

    private Secrets() {}

    /** {@code prefix} followed by 256 random bits in base64url. The prefix tells a leaked token's kind. */
    public static String newToken(String prefix) {
        return prefix + BASE64URL.encodeToString(randomBytes(32));
    }

    /** A webhook signing secret in the Standard Webhooks form: {@code whsec_} and base64 of 32 bytes. */
    public static String newWebhookSecret() {
        return "whsec_" + Base64.getEncoder().encodeToString(randomBytes(32));
    }

    /** The stored form of a session or device token; the relay computes the same ({@link TokenDigest}). */
    public static byte[] digest(String token) {
        return TokenDigest.of(token);
    }

    /** {@code length} characters drawn uniformly from {@code alphabet}. */
    public static String randomString(String alphabet, int length) {
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return text.toString();
    }

    private static byte[] randomBytes(int count) {
        byte[] bytes = new byte[count];
        RANDOM.nextBytes(bytes);
        return bytes;
    }
}
