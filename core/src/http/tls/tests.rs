use std::sync::Arc;

use rustls::crypto::ring::default_provider;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use rustls::{CipherSuite, ProtocolVersion, RootCertStore, ServerConfig, SupportedProtocolVersion};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::*;

#[test]
fn accepts_the_same_signatures_as_the_ring_provider() {
    let ring = default_provider().signature_verification_algorithms;
    let ours = provider().signature_verification_algorithms;
    assert_eq!(format!("{:?}", ours.all), format!("{:?}", ring.all));
    assert_eq!(format!("{:?}", ours.mapping), format!("{:?}", ring.mapping));
}

/// A TLS server on loopback with a fresh self-signed certificate for "localhost", offering
/// `versions` and `suites`; it echoes one line. Returns its port and certificate.
async fn server(
    versions: &[&'static SupportedProtocolVersion],
    suites: &[CipherSuite],
) -> (u16, CertificateDer<'static>) {
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let der = cert.cert.der().clone();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(cert.signing_key.serialize_der()));
    let mut ring = default_provider();
    ring.cipher_suites.retain(|s| suites.contains(&s.suite()));
    let config = ServerConfig::builder_with_provider(Arc::new(ring))
        .with_protocol_versions(versions)
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![der.clone()], key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            if let Ok(mut tls) = acceptor.accept(tcp).await {
                let mut buf = [0u8; 5];
                if tls.read_exact(&mut buf).await.is_ok() {
                    let _ = tls.write_all(&buf).await;
                }
            }
        }
    });
    (port, der)
}

/// Connects with the SDK's provider, trusting `cert`; the negotiated version and suite.
async fn connect(
    port: u16,
    cert: CertificateDer<'static>,
) -> Result<(ProtocolVersion, CipherSuite), std::io::Error> {
    let mut roots = RootCertStore::empty();
    roots.add(cert).unwrap();
    let config = ClientConfig::builder_with_provider(Arc::new(provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = TcpStream::connect(("127.0.0.1", port)).await?;
    let name = ServerName::try_from("localhost").unwrap();
    let mut tls = connector.connect(name, tcp).await?;
    tls.write_all(b"hello").await?;
    let mut echo = [0u8; 5];
    tls.read_exact(&mut echo).await?;
    assert_eq!(&echo, b"hello");
    let (_, session) = tls.get_ref();
    Ok((
        session.protocol_version().unwrap(),
        session.negotiated_cipher_suite().unwrap().suite(),
    ))
}

#[tokio::test]
async fn handshakes_over_tls13_and_tls12_with_aes_gcm() {
    let all: Vec<CipherSuite> = default_provider()
        .cipher_suites
        .iter()
        .map(|s| s.suite())
        .collect();
    let (port, cert) = server(&[&rustls::version::TLS13], &all).await;
    assert_eq!(
        connect(port, cert).await.unwrap(),
        (
            ProtocolVersion::TLSv1_3,
            CipherSuite::TLS13_AES_256_GCM_SHA384
        )
    );
    let (port, cert) = server(&[&rustls::version::TLS12], &all).await;
    assert_eq!(
        connect(port, cert).await.unwrap(),
        (
            ProtocolVersion::TLSv1_2,
            CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384
        )
    );
}

#[tokio::test]
async fn a_chacha_only_server_is_refused() {
    let chacha = [CipherSuite::TLS13_CHACHA20_POLY1305_SHA256];
    let (port, cert) = server(&[&rustls::version::TLS13], &chacha).await;
    assert!(connect(port, cert).await.is_err());
}

#[test]
fn loads_no_client_keys() {
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(vec![0u8; 8]));
    let err = provider().key_provider.load_private_key(key).unwrap_err();
    assert!(
        err.to_string()
            .contains("client certificates are not supported")
    );
}
