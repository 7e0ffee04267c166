package io.pocketproxy.relay.tls;

import io.netty.buffer.ByteBufUtil;
import io.netty.handler.ssl.util.FingerprintTrustManagerFactory;
import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The certificate the relay presents on its link port. Devices do not trust it through a CA: they pin
 * its SHA-256 {@link #fingerprint()}, which travels in the pairing string. So a self-signed certificate,
 * created once in the data directory and kept, is all a relay needs.
 */
public record RelayCertificate(X509Certificate certificate, PrivateKey privateKey) {

    public static final String CERTIFICATE_FILE = "relay-cert.pem";
    public static final String KEY_FILE = "relay-key.pem";

    private static final Duration VALIDITY = Duration.ofDays(3650);

    /** Loads the certificate from {@code directory}, creating and saving a new one on first use. */
    public static RelayCertificate loadOrCreate(Path directory) {
        Path certificateFile = directory.resolve(CERTIFICATE_FILE);
        Path keyFile = directory.resolve(KEY_FILE);
        try {
            if (Files.exists(certificateFile) && Files.exists(keyFile)) {
                return load(certificateFile, keyFile);
            }
            RelayCertificate created = create();
            created.save(certificateFile, keyFile);
            return created;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write the relay certificate in " + directory, e);
        }
    }

    public static RelayCertificate load(Path certificateFile, Path keyFile) throws IOException {
        X509Certificate certificate;
        try (Reader reader = Files.newBufferedReader(certificateFile, StandardCharsets.US_ASCII);
                PEMParser parser = new PEMParser(reader)) {
            Object object = parser.readObject();
            if (!(object instanceof X509CertificateHolder holder)) {
                throw new IOException(certificateFile + " does not hold a PEM certificate");
            }
            certificate = new JcaX509CertificateConverter().getCertificate(holder);
        } catch (GeneralSecurityException e) {
            throw new IOException(certificateFile + " holds an unreadable certificate", e);
        }
        PrivateKey key;
        try (Reader reader = Files.newBufferedReader(keyFile, StandardCharsets.US_ASCII);
                PEMParser parser = new PEMParser(reader)) {
            Object object = parser.readObject();
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            if (object instanceof PEMKeyPair pair) {
                key = converter.getPrivateKey(pair.getPrivateKeyInfo());
            } else if (object instanceof PrivateKeyInfo info) {
                key = converter.getPrivateKey(info);
            } else {
                throw new IOException(keyFile + " does not hold a PEM private key");
            }
        }
        return new RelayCertificate(certificate, key);
    }

    static RelayCertificate create() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair keys = generator.generateKeyPair();
            X500Name name = new X500Name("CN=PocketProxy relay");
            Instant now = Instant.now();
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    name,
                    new BigInteger(128, new SecureRandom()),
                    Date.from(now.minus(Duration.ofDays(1))),
                    Date.from(now.plus(VALIDITY)),
                    name,
                    keys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            X509CertificateHolder holder =
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()));
            return new RelayCertificate(new JcaX509CertificateConverter().getCertificate(holder), keys.getPrivate());
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot create a self-signed relay certificate", e);
        }
    }

    /** SHA-256 of the DER certificate, base64url without padding: what agents pin. */
    public String fingerprint() {
        return fingerprintOf(certificate);
    }

    /**
     * Trusts exactly this certificate, by its SHA-256: how one relay of a farm knows another (they hold one key pair)
     * on either end of a peer link, as a device knows its relay.
     */
    public TrustManagerFactory trustingItself() {
        String hex = ByteBufUtil.hexDump(Base64.getUrlDecoder().decode(fingerprint()));
        return FingerprintTrustManagerFactory.builder("SHA-256")
                .fingerprints(hex)
                .build();
    }

    public static String fingerprintOf(X509Certificate certificate) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    private void save(Path certificateFile, Path keyFile) throws IOException {
        Files.createDirectories(certificateFile.getParent());
        // PKCS#8 ("PRIVATE KEY"): self-describing, and what Netty's SslContextBuilder reads.
        writePem(keyFile, new JcaPKCS8Generator(privateKey, null).generate(), true);
        writePem(certificateFile, certificate, false);
    }

    private static void writePem(Path file, Object object, boolean secret) throws IOException {
        // Written beside the target and moved into place, so a crash never leaves half a file.
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(object);
        }
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(temporary);
        if (secret) {
            Files.createFile(
                    temporary, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        Files.writeString(
                temporary,
                text.toString(),
                StandardCharsets.US_ASCII,
                StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING);
        Files.move(temporary, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** The certificate in DER form, for tests and for pinning checks. */
    public byte[] encoded() {
        try {
            return certificate.getEncoded();
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }
}
