package io.pocketproxy.link;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The stored form of a bearer token: SHA-256 of its UTF-8 bytes. The control plane keeps only this digest
 * of each device token, and the relay computes it from the agent's {@code Authorization} header to look
 * the device up, so both must compute it here. Tokens carry 256 random bits: a plain digest cannot be
 * brute-forced back, and it can be looked up.
 */
public final class TokenDigest {

    private TokenDigest() {}

    /** The 32-byte SHA-256 of {@code token}. */
    public static byte[] of(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e); // every Java platform must have it
        }
    }
}
