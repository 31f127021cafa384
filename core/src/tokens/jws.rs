//! JWS signature checks on ring, the crypto backend TLS uses too, so the shipped library
//! carries one. `jsonwebtoken` supplies the key types (JWK parsing); the check itself runs
//! here, without its process-wide crypto provider, so an application's own `jsonwebtoken`
//! set-up is never touched.

use jsonwebtoken::{Algorithm, DecodingKey, DecodingKeyKind};
use ring::hmac;
use ring::signature::{self as sig, RsaParameters, RsaPublicKeyComponents, UnparsedPublicKey};

/// How an algorithm checks a signature with ring.
enum Check {
    Hmac(hmac::Algorithm),
    Rsa(&'static RsaParameters),
    PublicKey(&'static dyn sig::VerificationAlgorithm),
}

/// `None` for algorithms added to `jsonwebtoken` after this list: never accepted.
fn check_for(alg: Algorithm) -> Option<Check> {
    Some(match alg {
        Algorithm::HS256 => Check::Hmac(hmac::HMAC_SHA256),
        Algorithm::HS384 => Check::Hmac(hmac::HMAC_SHA384),
        Algorithm::HS512 => Check::Hmac(hmac::HMAC_SHA512),
        Algorithm::RS256 => Check::Rsa(&sig::RSA_PKCS1_2048_8192_SHA256),
        Algorithm::RS384 => Check::Rsa(&sig::RSA_PKCS1_2048_8192_SHA384),
        Algorithm::RS512 => Check::Rsa(&sig::RSA_PKCS1_2048_8192_SHA512),
        Algorithm::PS256 => Check::Rsa(&sig::RSA_PSS_2048_8192_SHA256),
        Algorithm::PS384 => Check::Rsa(&sig::RSA_PSS_2048_8192_SHA384),
        Algorithm::PS512 => Check::Rsa(&sig::RSA_PSS_2048_8192_SHA512),
        Algorithm::ES256 => Check::PublicKey(&sig::ECDSA_P256_SHA256_FIXED),
        Algorithm::ES384 => Check::PublicKey(&sig::ECDSA_P384_SHA384_FIXED),
        Algorithm::EdDSA => Check::PublicKey(&sig::ED25519),
        _ => return None,
    })
}

/// Whether `signature` is a valid `alg` signature of `message` (the JWS signing input,
/// `header.payload`) under `key`. A key of another family than `alg` never verifies.
pub(crate) fn verify(alg: Algorithm, key: &DecodingKey, message: &[u8], signature: &[u8]) -> bool {
    if key.family() != alg.family() {
        return false;
    }
    match (check_for(alg), key.kind()) {
        (Some(Check::Hmac(alg)), DecodingKeyKind::SecretOrDer(secret)) => {
            hmac::verify(&hmac::Key::new(alg, secret), message, signature).is_ok()
        }
        (Some(Check::Rsa(params)), DecodingKeyKind::RsaModulusExponent { n, e }) => {
            RsaPublicKeyComponents { n, e }
                .verify(params, message, signature)
                .is_ok()
        }
        (Some(Check::Rsa(params)), DecodingKeyKind::SecretOrDer(der)) => {
            UnparsedPublicKey::new(params, der)
                .verify(message, signature)
                .is_ok()
        }
        (Some(Check::PublicKey(alg)), DecodingKeyKind::SecretOrDer(bytes)) => {
            UnparsedPublicKey::new(alg, bytes)
                .verify(message, signature)
                .is_ok()
        }
        _ => false,
    }
}
