//! PKCE (RFC 7636, S256 only) and random request values.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::digest;
use ring::rand::{SecureRandom, SystemRandom};

use crate::{Error, Secret};

/// 32 random bytes, base64url: 43 characters, 256 bits of entropy.
pub(crate) fn random_value() -> Result<String, Error> {
    let mut bytes = [0u8; 32];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| Error::Config("the system random generator failed".into()))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// A fresh code verifier.
pub(crate) fn verifier() -> Result<Secret, Error> {
    random_value().map(Secret::new)
}

/// The S256 challenge of a verifier: base64url(SHA-256(verifier)).
pub(crate) fn challenge(verifier: &Secret) -> String {
    URL_SAFE_NO_PAD.encode(digest::digest(
        &digest::SHA256,
        verifier.expose().as_bytes(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_appendix_b_vector() {
        let verifier = Secret::new("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        assert_eq!(
            challenge(&verifier),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn verifiers_are_long_and_distinct() {
        let (a, b) = (verifier().unwrap(), verifier().unwrap());
        assert_eq!(a.expose().len(), 43);
        assert_ne!(a, b);
    }
}
