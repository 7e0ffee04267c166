package io.pocketproxy.relay.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.Signature;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RelayCertificateTest {

    @TempDir
    Path directory;

    @Test
    void isCreatedOnceAndThenLoadedWithTheSameFingerprint() {
        RelayCertificate created = RelayCertificate.loadOrCreate(directory);

        RelayCertificate loaded = RelayCertificate.loadOrCreate(directory);

        assertThat(loaded.fingerprint()).isEqualTo(created.fingerprint()).hasSize(43);
        assertThat(loaded.encoded()).isEqualTo(created.encoded());
    }

    @Test
    void loadsAKeyThatSignsForTheCertificate() throws Exception {
        RelayCertificate.loadOrCreate(directory);
        RelayCertificate loaded = RelayCertificate.loadOrCreate(directory);

        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(loaded.privateKey());
        signer.update(new byte[] {1, 2, 3});
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(loaded.certificate().getPublicKey());
        verifier.update(new byte[] {1, 2, 3});

        assertThat(verifier.verify(signature)).isTrue();
    }

    @Test
    void keepsThePrivateKeyReadableByItsOwnerOnly() throws IOException {
        RelayCertificate.loadOrCreate(directory);

        assertThat(Files.getPosixFilePermissions(directory.resolve(RelayCertificate.KEY_FILE)))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        assertThat(Files.readString(directory.resolve(RelayCertificate.KEY_FILE)))
                .startsWith("-----BEGIN PRIVATE KEY-----");
    }

    @Test
    void twoDirectoriesGetDifferentCertificates(@TempDir Path other) {
        assertThat(RelayCertificate.loadOrCreate(directory).fingerprint())
                .isNotEqualTo(RelayCertificate.loadOrCreate(other).fingerprint());
    }
}
