package io.pocketproxy.relay.openvpn;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The OpenVPN endpoint's own keys, made on first start and kept in {@code <data dir>/openvpn/}: a CA, the
 * server's certificate signed by it, and the {@code tls-crypt} key. Profiles pin the CA and carry the
 * {@code tls-crypt} key, so a client talks to this server and nothing else; customers have no certificates of
 * their own (they sign in with their connection's username and password).
 *
 * <p>Private keys are written mode 0600 in a directory of mode 0700, each file written beside its target and
 * moved into place, so a crash never leaves half a key.
 */
public final class OpenVpnPki {

    public static final String DIRECTORY = "openvpn";
    static final String CA_CERTIFICATE = "ca.crt";
    static final String CA_KEY = "ca.key";
    static final String SERVER_CERTIFICATE = "server.crt";
    static final String SERVER_KEY = "server.key";
    static final String TLS_CRYPT_KEY = "tls-crypt.key";

    private static final Duration VALIDITY = Duration.ofDays(3650);
    private static final int TLS_CRYPT_KEY_BYTES = 256;

    private final Path directory;
    private final String caCertificatePem;
    private final String tlsCryptKey;

    private OpenVpnPki(Path directory, String caCertificatePem, String tlsCryptKey) {
        this.directory = directory;
        this.caCertificatePem = caCertificatePem;
        this.tlsCryptKey = tlsCryptKey;
    }

    /** The keys in {@code <dataDir>/openvpn/}, made there first if any of them is missing. */
    public static OpenVpnPki loadOrCreate(Path dataDir) {
        Path directory = dataDir.resolve(DIRECTORY);
        try {
            privateDirectory(directory);
            List<String> missing =
                    missing(directory, CA_CERTIFICATE, CA_KEY, SERVER_CERTIFICATE, SERVER_KEY, TLS_CRYPT_KEY);
            if (!missing.isEmpty() && Files.isRegularFile(directory.resolve(CA_CERTIFICATE))) {
                // ca.crt is written last, so this set was complete once (or was copied to a relay, without ca.key):
                // profiles pin it, and new keys would lock every customer out.
                throw new IllegalStateException(directory + " holds OpenVPN keys that profiles pin, but not all of them"
                        + " (missing: " + String.join(", ", missing) + "; a server needs all five: copy them from the"
                        + " server that made them, or move the directory away to make new ones)");
            }
            if (!missing.isEmpty()) {
                // A partial set without ca.crt (an interrupted first start) is replaced whole: nothing has been handed
                // out that pins it, since profiles are only written once every file exists.
                create(directory);
            }
            return read(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write the OpenVPN keys in " + directory, e);
        }
    }

    /**
     * The keys a relay of the farm was given: the server's {@code ca.crt}, {@code server.crt}, {@code server.key} and
     * {@code tls-crypt.key}, copied into {@code <dataDir>/openvpn/}. A relay never makes keys of its own: every
     * profile pins the server's, and a client would be refused by a node with others. The CA's key stays with the
     * server.
     */
    public static OpenVpnPki loadCopied(Path dataDir) {
        Path directory = dataDir.resolve(DIRECTORY);
        List<String> missing = missing(directory, CA_CERTIFICATE, SERVER_CERTIFICATE, SERVER_KEY, TLS_CRYPT_KEY);
        if (!missing.isEmpty()) {
            throw new IllegalStateException("the server's OpenVPN keys are not in " + directory + " (missing: "
                    + String.join(", ", missing) + "; copy them from the server's <data dir>/" + DIRECTORY + "/)");
        }
        try {
            privateDirectory(directory);
            // Copies keep whatever mode the copy gave them: the secrets become this user's alone here.
            for (String secret : List.of(SERVER_KEY, TLS_CRYPT_KEY)) {
                Files.setPosixFilePermissions(directory.resolve(secret), PosixFilePermissions.fromString("rw-------"));
            }
            OpenVpnPki pki = read(directory);
            requireSignedBy(directory.resolve(SERVER_CERTIFICATE), directory.resolve(CA_CERTIFICATE));
            return pki;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the OpenVPN keys in " + directory, e);
        }
    }

    private static List<String> missing(Path directory, String... names) {
        return Stream.of(names)
                .filter(name -> !Files.isRegularFile(directory.resolve(name)))
                .toList();
    }

    /**
     * A server certificate from another CA than the one profiles pin (files copied from two servers) would make a
     * node that refuses every client: refused at start instead.
     */
    private static void requireSignedBy(Path certificate, Path ca) throws IOException {
        try (var certificateIn = Files.newInputStream(certificate);
                var caIn = Files.newInputStream(ca)) {
            CertificateFactory x509 = CertificateFactory.getInstance("X.509");
            X509Certificate server = (X509Certificate) x509.generateCertificate(certificateIn);
            X509Certificate authority = (X509Certificate) x509.generateCertificate(caIn);
            server.verify(authority.getPublicKey());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(
                    certificate + " is not a certificate signed by " + ca + " (copy both from the same server)");
        }
    }

    private static OpenVpnPki read(Path directory) throws IOException {
        String ca = Files.readString(directory.resolve(CA_CERTIFICATE), StandardCharsets.US_ASCII);
        String tlsCrypt = Files.readString(directory.resolve(TLS_CRYPT_KEY), StandardCharsets.US_ASCII);
        requireCertificate(ca, directory.resolve(CA_CERTIFICATE));
        requireTlsCryptKey(tlsCrypt, directory.resolve(TLS_CRYPT_KEY));
        return new OpenVpnPki(directory, ca, tlsCrypt);
    }

    /**
     * SHA-256 of the CA certificate and the {@code tls-crypt} key, base64url: nodes with the same fingerprint accept
     * the same profiles, so a profile may list each of them as a {@code remote}.
     */
    public String profileFingerprint() {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(caCertificatePem.strip().getBytes(StandardCharsets.US_ASCII));
            digest.update((byte) 0);
            digest.update(tlsCryptKey.strip().getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** The directory that holds the keys (mode 0700); the endpoint keeps its configuration and socket there too. */
    public Path directory() {
        return directory;
    }

    public Path caCertificateFile() {
        return directory.resolve(CA_CERTIFICATE);
    }

    public Path serverCertificateFile() {
        return directory.resolve(SERVER_CERTIFICATE);
    }

    public Path serverKeyFile() {
        return directory.resolve(SERVER_KEY);
    }

    public Path tlsCryptKeyFile() {
        return directory.resolve(TLS_CRYPT_KEY);
    }

    /** The CA certificate, PEM: what profiles pin in their {@code <ca>} block. */
    public String caCertificatePem() {
        return caCertificatePem;
    }

    /**
     * The {@code tls-crypt} key in OpenVPN's static-key format: every profile carries it (it wraps the TLS
     * handshake, so only holders of a profile can even start one), which makes it shared, not secret per customer.
     */
    public String tlsCryptKey() {
        return tlsCryptKey;
    }

    @Override
    public String toString() {
        return "OpenVpnPki[" + directory + "]";
    }

    private static void create(Path directory) throws IOException {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair caKeys = generator.generateKeyPair();
            KeyPair serverKeys = generator.generateKeyPair();
            SecureRandom random = new SecureRandom();
            X500Name caName =
                    new X500Name("CN=PocketProxy OpenVPN CA " + HexFormat.of().toHexDigits(random.nextInt()));
            Instant now = Instant.now();
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();

            JcaX509v3CertificateBuilder ca = new JcaX509v3CertificateBuilder(
                    caName,
                    new BigInteger(128, random),
                    Date.from(now.minus(Duration.ofDays(1))),
                    Date.from(now.plus(VALIDITY)),
                    caName,
                    caKeys.getPublic());
            ca.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            ca.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            ca.addExtension(
                    Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(caKeys.getPublic()));
            X509Certificate caCertificate = sign(ca, caKeys);

            JcaX509v3CertificateBuilder server = new JcaX509v3CertificateBuilder(
                    caName,
                    new BigInteger(128, random),
                    Date.from(now.minus(Duration.ofDays(1))),
                    Date.from(now.plus(VALIDITY)),
                    new X500Name("CN=PocketProxy OpenVPN server"),
                    serverKeys.getPublic());
            server.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            // What clients' "remote-cert-tls server" checks: a key usage and the TLS server purpose.
            server.addExtension(
                    Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
            server.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            server.addExtension(
                    Extension.authorityKeyIdentifier, false, extensions.createAuthorityKeyIdentifier(caCertificate));
            X509Certificate serverCertificate = sign(server, caKeys);

            byte[] staticKey = new byte[TLS_CRYPT_KEY_BYTES];
            random.nextBytes(staticKey);

            write(directory.resolve(CA_KEY), pem(new JcaPKCS8Generator(caKeys.getPrivate(), null).generate()), true);
            write(
                    directory.resolve(SERVER_KEY),
                    pem(new JcaPKCS8Generator(serverKeys.getPrivate(), null).generate()),
                    true);
            write(directory.resolve(TLS_CRYPT_KEY), staticKeyFile(staticKey), true);
            write(directory.resolve(SERVER_CERTIFICATE), pem(serverCertificate), false);
            // Last: its presence is what says the set is complete.
            write(directory.resolve(CA_CERTIFICATE), pem(caCertificate), false);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot create the OpenVPN CA and server certificate", e);
        }
    }

    private static X509Certificate sign(JcaX509v3CertificateBuilder builder, KeyPair signer)
            throws OperatorCreationException, GeneralSecurityException {
        X509CertificateHolder holder =
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate()));
        return new JcaX509CertificateConverter().getCertificate(holder);
    }

    /** OpenVPN's own format for a static key, as {@code openvpn --genkey tls-crypt} writes it. */
    static String staticKeyFile(byte[] key) {
        StringBuilder text = new StringBuilder();
        text.append("#\n# 2048 bit OpenVPN static key\n#\n");
        text.append("-----BEGIN OpenVPN Static key V1-----\n");
        HexFormat hex = HexFormat.of();
        for (int offset = 0; offset < key.length; offset += 16) {
            text.append(hex.formatHex(key, offset, offset + 16)).append('\n');
        }
        text.append("-----END OpenVPN Static key V1-----\n");
        return text.toString();
    }

    private static void requireTlsCryptKey(String text, Path file) {
        long hexLines =
                text.lines().filter(line -> line.matches("[0-9a-f]{32}")).count();
        if (!text.contains("-----BEGIN OpenVPN Static key V1-----") || hexLines != TLS_CRYPT_KEY_BYTES / 16) {
            throw new IllegalStateException(
                    file + " is not an OpenVPN static key (expected: 16 lines of 32 hex digits between its markers)");
        }
    }

    private static void requireCertificate(String pem, Path file) throws IOException {
        try (Reader reader = new StringReader(pem);
                PEMParser parser = new PEMParser(reader)) {
            if (!(parser.readObject() instanceof X509CertificateHolder)) {
                throw new IllegalStateException(file + " does not hold a PEM certificate");
            }
        }
    }

    private static String pem(Object object) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(object);
        }
        return text.toString();
    }

    static void privateDirectory(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            Files.createDirectories(
                    directory, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx------"));
    }

    /** Written beside the target and moved into place; secrets are 0600 from their first byte. */
    static void write(Path file, String text, boolean secret) throws IOException {
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(temporary);
        Files.createFile(
                temporary,
                PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString(secret ? "rw-------" : "rw-r--r--")));
        Files.writeString(temporary, text, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
