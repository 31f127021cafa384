//! Client authentication at the token, device and revocation endpoints.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use reqwest::RequestBuilder;
use url::form_urlencoded::byte_serialize;

use crate::config::{ClientAuthMethod, Config};

/// Adds the client's credentials to a form request: the Basic header (RFC 6749 section 2.3.1:
/// id and secret form-urlencoded before Base64), or `client_id`/`client_secret` form members.
pub(crate) fn authenticate(
    request: RequestBuilder,
    config: &Config,
    mut form: Vec<(&'static str, String)>,
) -> RequestBuilder {
    match (config.auth_method(), &config.client_secret) {
        (ClientAuthMethod::ClientSecretBasic, Some(secret)) => {
            let encode = |s: &str| byte_serialize(s.as_bytes()).collect::<String>();
            let pair = format!("{}:{}", encode(&config.client_id), encode(secret.expose()));
            request
                .header(
                    reqwest::header::AUTHORIZATION,
                    format!("Basic {}", STANDARD.encode(pair)),
                )
                .form(&form)
        }
        (ClientAuthMethod::ClientSecretPost, Some(secret)) => {
            form.push(("client_id", config.client_id.clone()));
            form.push(("client_secret", secret.expose().to_owned()));
            request.form(&form)
        }
        _ => {
            form.push(("client_id", config.client_id.clone()));
            request.form(&form)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sent(method: ClientAuthMethod) -> reqwest::Request {
        let config = Config {
            auth_method: Some(method),
            ..Config::confidential("https://a.example", "my:client", "s e/c:rét")
        };
        let request = reqwest::Client::new().post("https://a.example/token");
        authenticate(
            request,
            &config,
            vec![("grant_type", "client_credentials".into())],
        )
        .build()
        .unwrap()
    }

    #[test]
    fn basic_form_encodes_before_base64() {
        let request = sent(ClientAuthMethod::ClientSecretBasic);
        let header = request.headers()["authorization"].to_str().unwrap();
        let decoded = STANDARD
            .decode(header.strip_prefix("Basic ").unwrap())
            .unwrap();
        assert_eq!(
            String::from_utf8(decoded).unwrap(),
            "my%3Aclient:s+e%2Fc%3Ar%C3%A9t"
        );
        let body = request.body().and_then(|b| b.as_bytes()).unwrap();
        assert_eq!(body, b"grant_type=client_credentials");
    }

    #[test]
    fn post_puts_credentials_in_the_body() {
        let request = sent(ClientAuthMethod::ClientSecretPost);
        assert!(request.headers().get("authorization").is_none());
        let body = std::str::from_utf8(request.body().and_then(|b| b.as_bytes()).unwrap()).unwrap();
        assert_eq!(
            body,
            "grant_type=client_credentials&client_id=my%3Aclient&client_secret=s+e%2Fc%3Ar%C3%A9t"
        );
    }
}
