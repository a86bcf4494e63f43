package io.cakemail.gateway.server.tls;

import io.cakemail.gateway.common.Setting;
import io.cakemail.gateway.server.config.GatewayConfig;
import io.cakemail.gateway.server.config.ServerSettings;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import javax.net.ssl.SSLException;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The server's TLS context: TLS 1.3 and 1.2 only, forward-secret AEAD ciphers, BoringSSL when its native library
 * loads and the JDK provider otherwise. The certificate comes from PEM files or, when none is configured, is
 * generated in memory at start (self-signed, with a warning).
 */
public final class ServerTls {

    /** TLS 1.2 suites (TLS 1.3 suites are all AEAD and enabled by default). */
    public static final List<String> CIPHERS = List.of(
            "TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    private static final Logger log = LogManager.getLogger(ServerTls.class);
    private static final String CERT = ServerSettings.TLS_CERT.name();
    private static final String KEY = ServerSettings.TLS_KEY.name();

    private ServerTls() {}

    /**
     * A context and the certificate it presents.
     *
     * @param pemDigest the {@linkplain #pemDigest digest} of the PEM files it was built from, or {@code null} for a
     *     certificate generated at start
     */
    public record Material(SslContext context, X509Certificate certificate, byte[] pemDigest) {}

    /** Builds the context from the configured PEM files, or from a fresh self-signed certificate. */
    public static Material load(GatewayConfig config) throws SSLException {
        SslProvider provider = OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
        if (provider == SslProvider.OPENSSL) {
            log.info("TLS provider: OpenSSL ({}), TLS 1.3 and 1.2", OpenSsl.versionString());
        } else {
            log.warn("TLS provider: JDK (BoringSSL unavailable: {})", String.valueOf(OpenSsl.unavailabilityCause()));
        }
        if (config.tlsCert() != null && awaited(config)) {
            log.warn(
                    "{}: '{}' does not exist yet (a certificate not issued yet, a Secret not written yet): serving a"
                            + " self-signed certificate for '{}' and not ready until the files are there",
                    CERT,
                    config.tlsCert(),
                    config.smtp().hostname());
            return selfSigned(config.smtp().hostname(), null);
        }
        if (config.tlsCert() != null) {
            Material material = fromPem(
                    config.tlsCert(),
                    read(config.tlsCert(), ServerSettings.TLS_CERT),
                    config.tlsKey(),
                    read(config.tlsKey(), ServerSettings.TLS_KEY));
            log.info("TLS certificate from {}: {}", config.tlsCert(), describe(material.certificate()));
            return material;
        }
        log.warn(
                "No {}/{}: using a self-signed certificate for '{}' generated at start. Clients must be told to"
                        + " trust it; configure a real certificate in production.",
                CERT,
                KEY,
                config.smtp().hostname());
        return selfSigned(config.smtp().hostname(), null);
    }

    /**
     * Whether the configured files are still to come: neither exists yet, as when a pod mounts the Secret of a
     * certificate not issued yet ({@code optional: true}). Either one alone is a mistake, and fails as unreadable.
     */
    private static boolean awaited(GatewayConfig config) {
        return Files.notExists(config.tlsCert()) && Files.notExists(config.tlsKey());
    }

    private static Material selfSigned(String hostname, byte[] pemDigest) throws SSLException {
        SelfSigned selfSigned = selfSigned(hostname);
        return new Material(
                build(SslContextBuilder.forServer(selfSigned.keyPair().getPrivate(), selfSigned.certificate())),
                selfSigned.certificate(),
                pemDigest);
    }

    /**
     * A context from the PEM contents of a certificate chain and its key, checked to be a pair; {@code certPath} and
     * {@code keyPath} name them in messages. Fails with {@link IllegalArgumentException} saying what is wrong.
     */
    public static Material fromPem(Path certPath, byte[] certPem, Path keyPath, byte[] keyPem) throws SSLException {
        PrivateKey key = privateKey(keyPath, keyPem);
        List<X509Certificate> chain = certificates(certPath, certPem);
        requireMatch(key, chain.get(0), certPath, keyPath);
        return new Material(
                build(SslContextBuilder.forServer(key, chain.toArray(X509Certificate[]::new))),
                chain.get(0),
                pemDigest(certPem, keyPem));
    }

    /** A SHA-256 digest of a certificate's and a key's PEM contents: it changes when either file does. */
    public static byte[] pemDigest(byte[] certPem, byte[] keyPem) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update(certPem);
            sha256.update(keyPem);
            return sha256.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static SslContext build(SslContextBuilder builder) throws SSLException {
        return builder.sslProvider(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK)
                .protocols("TLSv1.3", "TLSv1.2")
                .ciphers(CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                .build();
    }

    /** The subject, serial and end of validity of {@code certificate}, for the log. */
    public static String describe(X509Certificate certificate) {
        return certificate.getSubjectX500Principal().getName() + ", serial "
                + certificate.getSerialNumber().toString(16) + ", valid until "
                + certificate.getNotAfter().toInstant();
    }

    /** The content of a PEM file named by {@code setting}. */
    public static byte[] read(Path pem, Setting<Path> setting) {
        try {
            return Files.readAllBytes(pem);
        } catch (IOException e) {
            throw new IllegalArgumentException(setting.name() + ": '" + pem + "' cannot be read (" + e + ")", e);
        }
    }

    /**
     * Fails unless {@code key} is the private key of {@code certificate}'s public key: a signature made with one must
     * verify with the other. A pair that does not match would otherwise start and fail every handshake.
     */
    public static void requireMatch(PrivateKey key, X509Certificate certificate, Path certPath, Path keyPath) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> key.getAlgorithm(); // Ed25519, Ed448
        };
        byte[] probe = new byte[32];
        new SecureRandom().nextBytes(probe);
        boolean matches;
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            matches = verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            matches = false;
        }
        if (!matches) {
            throw new IllegalArgumentException(
                    KEY + ": '" + keyPath + "' is not the key of the certificate in " + CERT + " '" + certPath + "'");
        }
    }

    /** The certificates of the PEM content of {@code pem}, leaf first. */
    public static List<X509Certificate> certificates(Path pem, byte[] content) {
        try (InputStream in = new ByteArrayInputStream(content)) {
            List<X509Certificate> chain = CertificateFactory.getInstance("X.509").generateCertificates(in).stream()
                    .map(X509Certificate.class::cast)
                    .toList();
            if (chain.isEmpty()) {
                throw new IllegalArgumentException(CERT + ": '" + pem + "' holds no certificate");
            }
            return chain;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException(
                    CERT + ": '" + pem + "' cannot be read as PEM certificates (" + e.getMessage() + ")", e);
        }
    }

    /**
     * The private key in the PEM content of {@code pem}: PKCS#8, PKCS#1 (RSA) or SEC1 (EC, with its curve),
     * unencrypted.
     */
    public static PrivateKey privateKey(Path pem, byte[] content) {
        try (PEMParser parser =
                new PEMParser(new InputStreamReader(new ByteArrayInputStream(content), StandardCharsets.US_ASCII))) {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            for (Object object; (object = parser.readObject()) != null; ) {
                if (object instanceof PEMKeyPair pair) {
                    return converter.getPrivateKey(pair.getPrivateKeyInfo());
                }
                if (object instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
            }
            throw new IllegalArgumentException(
                    KEY + ": '" + pem + "' holds no unencrypted private key" + " (expected: PEM, PKCS#8 or PKCS#1)");
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    KEY + ": '" + pem + "' cannot be read as a private key (" + e.getMessage() + ")", e);
        }
    }

    /** A key pair and its self-signed certificate. */
    public record SelfSigned(KeyPair keyPair, X509Certificate certificate) {}

    /** An EC P-256 certificate for {@code hostname}, {@code localhost} and the loopback addresses, valid a year. */
    public static SelfSigned selfSigned(String hostname) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
            KeyPair keyPair = generator.generateKeyPair();
            X500Name subject = new X500Name("CN=" + hostname);
            Instant now = Instant.now();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    subject,
                    new BigInteger(64, new SecureRandom()),
                    Date.from(now.minus(Duration.ofHours(1))),
                    Date.from(now.plus(Duration.ofDays(365))),
                    subject,
                    keyPair.getPublic());
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.dNSName, hostname),
                new GeneralName(GeneralName.dNSName, "localhost"),
                new GeneralName(
                        GeneralName.iPAddress, InetAddress.getLoopbackAddress().getHostAddress()),
            }));
            X509Certificate certificate = new JcaX509CertificateConverter()
                    .getCertificate(
                            builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keyPair.getPrivate())));
            return new SelfSigned(keyPair, certificate);
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot generate a self-signed certificate", e);
        }
    }
}
