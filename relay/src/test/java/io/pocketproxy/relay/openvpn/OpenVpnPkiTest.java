package io.pocketproxy.relay.openvpn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpenVpnPkiTest {

    @TempDir
    Path dataDir;

    @Test
    void makesACaAServerCertificateSignedByItAndATlsCryptKeyWithPrivateKeysPrivate() throws Exception {
        OpenVpnPki pki = OpenVpnPki.loadOrCreate(dataDir);

        Path directory = dataDir.resolve("openvpn");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(directory)))
                .isEqualTo("rwx------");
        for (String secret : new String[] {"ca.key", "server.key", "tls-crypt.key"}) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(directory.resolve(secret))))
                    .as(secret)
                    .isEqualTo("rw-------");
        }
        X509Certificate ca = certificate(Files.readString(pki.caCertificateFile()));
        X509Certificate server = certificate(Files.readString(pki.serverCertificateFile()));
        server.verify(ca.getPublicKey());
        assertThat(ca.getBasicConstraints()).isNotNegative();
        assertThat(server.getBasicConstraints()).isEqualTo(-1);
        assertThat(server.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1"); // TLS server
        assertThat(pki.tlsCryptKey())
                .startsWith("#\n# 2048 bit OpenVPN static key\n#\n-----BEGIN OpenVPN Static key V1-----\n")
                .endsWith("-----END OpenVPN Static key V1-----\n");
        assertThat(pki.tlsCryptKey().lines().filter(line -> line.matches("[0-9a-f]{32}")))
                .hasSize(16);
    }

    @Test
    void keepsItsKeysAcrossStarts() {
        OpenVpnPki first = OpenVpnPki.loadOrCreate(dataDir);

        OpenVpnPki second = OpenVpnPki.loadOrCreate(dataDir);

        assertThat(second.caCertificatePem()).isEqualTo(first.caCertificatePem());
        assertThat(second.tlsCryptKey()).isEqualTo(first.tlsCryptKey());
    }

    @Test
    void replacesTheSetAFirstStartLeftIncompleteWhole() throws Exception {
        OpenVpnPki first = OpenVpnPki.loadOrCreate(dataDir);
        // ca.crt is written last: without it, no profile was ever written.
        Files.delete(dataDir.resolve("openvpn/ca.crt"));
        Files.delete(dataDir.resolve("openvpn/server.key"));

        OpenVpnPki second = OpenVpnPki.loadOrCreate(dataDir);

        assertThat(second.caCertificatePem()).isNotEqualTo(first.caCertificatePem());
        certificate(Files.readString(second.serverCertificateFile()))
                .verify(certificate(second.caCertificatePem()).getPublicKey());
    }

    @Test
    void refusesToReplaceKeysThatProfilesPin() throws Exception {
        OpenVpnPki first = OpenVpnPki.loadOrCreate(dataDir);
        // a relay's copy, given to a server
        Files.delete(dataDir.resolve("openvpn/ca.key"));

        assertThatThrownBy(() -> OpenVpnPki.loadOrCreate(dataDir))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("holds OpenVPN keys that profiles pin, but not all of them (missing: ca.key;");
        assertThat(Files.readString(first.caCertificateFile())).isEqualTo(first.caCertificatePem());
    }

    @Test
    void aRelayRefusesAServerCertificateOfAnotherCa(@TempDir Path relayDir, @TempDir Path anotherServer)
            throws Exception {
        OpenVpnPki server = OpenVpnPki.loadOrCreate(dataDir);
        OpenVpnPki other = OpenVpnPki.loadOrCreate(anotherServer);
        Path keys = Files.createDirectories(relayDir.resolve(OpenVpnPki.DIRECTORY));
        Files.copy(server.caCertificateFile(), keys.resolve(OpenVpnPki.CA_CERTIFICATE));
        Files.copy(server.tlsCryptKeyFile(), keys.resolve(OpenVpnPki.TLS_CRYPT_KEY));
        Files.copy(other.serverCertificateFile(), keys.resolve(OpenVpnPki.SERVER_CERTIFICATE));
        Files.copy(other.serverKeyFile(), keys.resolve(OpenVpnPki.SERVER_KEY));

        assertThatThrownBy(() -> OpenVpnPki.loadCopied(relayDir))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("server.crt is not a certificate signed by")
                .hasMessageEndingWith("(copy both from the same server)");
    }

    @Test
    void aRelayReadsTheServersKeysCopiedWithoutTheCaKeyAndSaysWhichAreMissing(
            @TempDir Path relayDir, @TempDir Path anotherServer) throws Exception {
        OpenVpnPki server = OpenVpnPki.loadOrCreate(dataDir);
        Path keys = Files.createDirectories(relayDir.resolve(OpenVpnPki.DIRECTORY));
        Files.copy(server.caCertificateFile(), keys.resolve(OpenVpnPki.CA_CERTIFICATE));
        Files.copy(server.tlsCryptKeyFile(), keys.resolve(OpenVpnPki.TLS_CRYPT_KEY));

        assertThatThrownBy(() -> OpenVpnPki.loadCopied(relayDir))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("the server's OpenVPN keys are not in " + keys
                        + " (missing: server.crt, server.key; copy them from the server's <data dir>/openvpn/)");

        Files.copy(server.serverCertificateFile(), keys.resolve(OpenVpnPki.SERVER_CERTIFICATE));
        Files.copy(server.serverKeyFile(), keys.resolve(OpenVpnPki.SERVER_KEY));
        Files.setPosixFilePermissions(
                keys.resolve(OpenVpnPki.SERVER_KEY), PosixFilePermissions.fromString("rw-r--r--"));
        OpenVpnPki relay = OpenVpnPki.loadCopied(relayDir);

        assertThat(relay.profileFingerprint()).isEqualTo(server.profileFingerprint());
        assertThat(keys.resolve(OpenVpnPki.CA_KEY)).doesNotExist();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keys.resolve(OpenVpnPki.SERVER_KEY))))
                .as("a copied secret becomes this user's alone")
                .isEqualTo("rw-------");
        assertThat(OpenVpnPki.loadOrCreate(anotherServer).profileFingerprint())
                .isNotEqualTo(server.profileFingerprint());
    }

    private static X509Certificate certificate(String pem) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    }
}
