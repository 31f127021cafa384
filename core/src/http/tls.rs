//! TLS of every request: rustls on ring (the SDK's one crypto backend), checking server
//! certificates against the platform's trust store (rustls-platform-verifier), so the
//! certificate authorities the device or the company trusts are the ones used.

use std::sync::Arc;

use rustls::ClientConfig;
use rustls::crypto::{CryptoProvider, KeyProvider};
use rustls::pki_types::PrivateKeyDer;
use rustls::sign::SigningKey;
use rustls_platform_verifier::BuilderVerifierExt;

use crate::Error;

/// TLS 1.2 and 1.3 with rustls' safe defaults over ring and the platform verifier.
pub(crate) fn client_config() -> Result<ClientConfig, Error> {
    let failed = |e: rustls::Error| Error::Config(format!("cannot set up TLS: {e}"));
    let provider = CryptoProvider {
        key_provider: &NoClientKeys,
        ..rustls::crypto::ring::default_provider()
    };
    let config = ClientConfig::builder_with_provider(Arc::new(provider))
        .with_safe_default_protocol_versions()
        .map_err(failed)?
        .with_platform_verifier()
        .map_err(failed)?
        .with_no_client_auth();
    Ok(config)
}

/// The SDK never presents a client certificate, so it loads no private keys, and the
/// signing code of the backend stays out of the library.
#[derive(Debug)]
struct NoClientKeys;

impl KeyProvider for NoClientKeys {
    fn load_private_key(
        &self,
        _: PrivateKeyDer<'static>,
    ) -> Result<Arc<dyn SigningKey>, rustls::Error> {
        Err(rustls::Error::General(
            "client certificates are not supported".into(),
        ))
    }
}
