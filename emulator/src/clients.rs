//! Client authentication at the token, revocation and device endpoints: HTTP Basic (id and
//! secret form-urlencoded before Base64, RFC 6749 2.3.1), `client_secret_post`, or `none`
//! for public clients.

use axum::http::{HeaderMap, header};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use subtle::ConstantTimeEq;

use crate::config::ClientConfig;
use crate::errors::OAuthError;
use crate::params::Params;
use crate::state::Shared;

/// Credentials from an `Authorization: Basic` header, decoded.
fn basic_credentials(headers: &HeaderMap) -> Option<Result<(String, String), OAuthError>> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let malformed = || OAuthError::invalid_client(true);
    let parse = || -> Result<(String, String), OAuthError> {
        let decoded = STANDARD.decode(encoded.trim()).map_err(|_| malformed())?;
        let text = String::from_utf8(decoded).map_err(|_| malformed())?;
        let (id, secret) = text.split_once(':').ok_or_else(malformed)?;
        Ok((
            form_decode(id).ok_or_else(malformed)?,
            form_decode(secret).ok_or_else(malformed)?,
        ))
    };
    Some(parse())
}

/// `application/x-www-form-urlencoded` decoding of one value (`+` is a space).
fn form_decode(text: &str) -> Option<String> {
    let spaced = text.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8()
        .ok()
        .map(|s| s.into_owned())
}

/// Authenticates the client of a request; returns its registration.
pub fn authenticate(
    state: &Shared,
    headers: &HeaderMap,
    params: &Params,
) -> Result<ClientConfig, OAuthError> {
    let basic = basic_credentials(headers).transpose()?;
    let used_basic = basic.is_some();
    let (client_id, secret) = match basic {
        Some((id, secret)) => {
            if params.get("client_secret").is_some() {
                return Err(OAuthError::invalid_request(
                    "Use only one client authentication method",
                ));
            }
            if params.get("client_id").is_some_and(|body_id| body_id != id) {
                return Err(OAuthError::invalid_request(
                    "client_id does not match the credentials",
                ));
            }
            (id, Some(secret))
        }
        None => {
            let id = params
                .get("client_id")
                .ok_or_else(|| OAuthError::invalid_client(false))?;
            (
                id.to_string(),
                params.get("client_secret").map(str::to_string),
            )
        }
    };
    let secret = secret.filter(|s| !s.is_empty());
    let store = state.store();
    let client = store
        .active_client(&client_id)
        .ok_or_else(|| OAuthError::invalid_client(used_basic))?;
    let authenticated = match (&client.client_secret, &secret) {
        (Some(expected), Some(given)) => bool::from(expected.as_bytes().ct_eq(given.as_bytes())),
        (None, None) => true,
        _ => false,
    };
    if !authenticated {
        return Err(OAuthError::invalid_client(used_basic));
    }
    Ok(client.clone())
}
