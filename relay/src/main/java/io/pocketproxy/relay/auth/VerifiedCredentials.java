package io.pocketproxy.relay.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.pocketproxy.relay.directory.ConnectionRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Remembers which passwords bcrypt has already accepted, without remembering any password: per username,
 * an HMAC-SHA256 under a key that lives only in this process, over username, password and the stored
 * hash. A later attempt computes the same HMAC and compares in constant time, in microseconds instead of
 * bcrypt's quarter second. A regenerated password changes the stored hash, so its old entry stops
 * matching by itself. Only successes are remembered, and only for {@code ttl}.
 */
final class VerifiedCredentials {

    private final SecretKeySpec key;
    private final Cache<String, byte[]> verified;
    private final ThreadLocal<Mac> macs;

    VerifiedCredentials(Duration ttl) {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        this.key = new SecretKeySpec(secret, "HmacSHA256");
        this.verified = Caffeine.newBuilder()
                .expireAfterWrite(ttl)
                .maximumSize(1_000_000)
                .build();
        this.macs = ThreadLocal.withInitial(this::newMac);
    }

    boolean matches(ConnectionRecord record, String password) {
        byte[] expected = verified.getIfPresent(record.username());
        return expected != null && MessageDigest.isEqual(expected, mac(record, password));
    }

    void remember(ConnectionRecord record, String password) {
        verified.put(record.username(), mac(record, password));
    }

    private byte[] mac(ConnectionRecord record, String password) {
        Mac mac = macs.get();
        // Length-prefixed, so that no two different triples can feed the same bytes to the HMAC.
        for (String part : new String[] {record.username(), password, record.passwordHash()}) {
            byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
            mac.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
            mac.update(bytes);
        }
        return mac.doFinal();
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
