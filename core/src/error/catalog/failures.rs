//! Catalog entries of failures around the flows: unexpected HTTP answers, network,
//! protocol, ID token validation, local state.

use super::{CatalogEntry, entry as e};

pub(super) const ENTRIES: &[CatalogEntry] = &[
    e(
        "http_server_error",
        "The issuer answered with an HTTP 5xx page",
        &["The issuer or a proxy in front of it is down or overloaded (502, 503, 504)."],
        &[
            "Retry with exponential backoff.",
            "Check the UPBOND status page and your proxies.",
        ],
        true,
        false,
    ),
    e(
        "http_client_error",
        "The issuer answered with an unexpected HTTP 4xx page",
        &[
            "The URL points at something that is not an UPBOND endpoint.",
            "A proxy or firewall blocked the request.",
        ],
        &["Check the issuer URL and any proxy between the app and the issuer."],
        false,
        false,
    ),
    e(
        "oauth_error",
        "The issuer returned an unknown error code",
        &["The issuer uses an error code upbond-login does not know yet."],
        &[
            "Read the code and description in the message.",
            "Report it so it gets an entry here.",
        ],
        false,
        false,
    ),
    e(
        "protocol_error",
        "The issuer's answer broke the protocol",
        &[
            "A response was not valid JSON, or a required member was missing.",
            "The issuer URL points at a server that is not an OpenID provider.",
        ],
        &[
            "Check the issuer URL.",
            "Report the issuer's behaviour with a redacted support report.",
        ],
        false,
        false,
    ),
    e(
        "not_supported_by_issuer",
        "The issuer does not offer this feature",
        &["The discovery document does not advertise the endpoint or method this call needs."],
        &["Check the issuer's discovery document, or enable the feature on the issuer."],
        false,
        false,
    ),
    // Network.
    e(
        "network_timeout",
        "The request timed out",
        &[
            "The network is slow or unstable.",
            "The issuer is overloaded.",
            "A firewall silently drops the traffic.",
        ],
        &[
            "Retry with exponential backoff.",
            "Check connectivity and firewall rules for the issuer host.",
            "Raise the request timeout if the network is known to be slow.",
        ],
        true,
        false,
    ),
    e(
        "network_dns",
        "The issuer's host name did not resolve",
        &[
            "The issuer URL has a typo.",
            "DNS is unreachable or misconfigured.",
            "The device is offline.",
        ],
        &[
            "Check the issuer URL.",
            "Test name resolution (for example nslookup) on the same network.",
        ],
        true,
        false,
    ),
    e(
        "network_tls",
        "The secure connection failed",
        &[
            "The certificate is not trusted, expired, or for another host.",
            "A proxy intercepts TLS.",
            "The device clock is far off.",
        ],
        &[
            "Check the device clock.",
            "Check the certificate chain of the issuer host.",
            "Trust the proxy's CA only if you own the proxy.",
        ],
        false,
        false,
    ),
    e(
        "network_connect",
        "The connection could not be made",
        &[
            "The device is offline.",
            "A firewall blocks the issuer.",
            "The server is down.",
        ],
        &[
            "Check connectivity.",
            "Allow the issuer host in the firewall.",
            "Retry with backoff.",
        ],
        true,
        false,
    ),
    e(
        "network_reset",
        "The connection was reset before the answer arrived",
        &[
            "The server, a proxy or a load balancer closed the connection mid-request.",
            "The network changed (Wi-Fi to mobile, VPN reconnect).",
        ],
        &[
            "Retry with exponential backoff; the SDK already does for requests that are \
         safe to replay.",
            "After a failed sign-in or refresh, start the sign-in again: the code or refresh \
         token may have been spent.",
        ],
        true,
        false,
    ),
    e(
        "network_io",
        "The connection broke during the request",
        &[
            "The network dropped the connection.",
            "The server closed it early.",
        ],
        &["Retry with exponential backoff."],
        true,
        false,
    ),
    // ID token reasons.
    e(
        "id_token_malformed",
        "The ID token is not a well-formed JWT",
        &["The issuer sent something that is not a signed JWT, or the value was truncated."],
        &["Check that the issuer signs ID tokens (JWS), then sign in again."],
        false,
        true,
    ),
    e(
        "id_token_unsupported_alg",
        "The ID token's algorithm is not allowed",
        &[
            "The token uses an algorithm outside the allowlist (never `none`; HS256 only for \
         confidential clients).",
        ],
        &["Configure the issuer to sign with RS256 or ES256, or allow its algorithm explicitly."],
        false,
        true,
    ),
    e(
        "id_token_unknown_key",
        "No key matches the ID token",
        &[
            "The issuer rotated keys and the new key is not published yet.",
            "The token was signed by another issuer.",
        ],
        &[
            "Retry shortly; the key set is refetched at most every 30 seconds.",
            "Check the jwks_uri of the issuer.",
        ],
        true,
        true,
    ),
    e(
        "id_token_bad_signature",
        "The ID token's signature does not verify",
        &[
            "The token was altered.",
            "It was signed with a key that does not match the published one.",
        ],
        &["Do not trust the token; sign in again and report it if it repeats."],
        false,
        true,
    ),
    e(
        "id_token_issuer_mismatch",
        "The ID token's issuer is wrong",
        &["The iss claim differs from the configured issuer (a trailing slash counts)."],
        &["Configure the issuer exactly as the token and discovery document spell it."],
        false,
        true,
    ),
    e(
        "id_token_audience_mismatch",
        "The ID token is not for this client",
        &["The aud claim does not contain this client ID."],
        &["Check the configured client ID; never accept tokens issued to other clients."],
        false,
        true,
    ),
    e(
        "id_token_azp_mismatch",
        "The ID token's authorized party is another client",
        &["The azp claim names a different client."],
        &["Check the configured client ID and sign in again."],
        false,
        true,
    ),
    e(
        "id_token_expired",
        "The ID token has expired",
        &[
            "Too much time passed since issuance.",
            "The device clock is ahead of the issuer's.",
        ],
        &["Synchronise the device clock.", "Sign in again."],
        false,
        true,
    ),
    e(
        "id_token_not_yet_valid",
        "The ID token is not valid yet",
        &["The nbf claim is in the future: the device clock is behind the issuer's."],
        &["Synchronise the device clock, or raise the clock leeway slightly."],
        false,
        true,
    ),
    e(
        "id_token_issued_in_future",
        "The ID token was issued in the future",
        &["The iat claim is ahead of the device clock by more than the leeway."],
        &["Synchronise the device clock, or raise the clock leeway slightly."],
        false,
        true,
    ),
    e(
        "id_token_missing_claim",
        "The ID token lacks a required claim",
        &["sub, iss, aud, exp or iat (or nonce, when one was sent) is missing or mistyped."],
        &["Check the issuer's ID token configuration."],
        false,
        true,
    ),
    e(
        "id_token_nonce_mismatch",
        "The ID token's nonce is wrong",
        &["The token belongs to another sign-in attempt, or was replayed."],
        &["Start a new sign-in."],
        false,
        true,
    ),
    e(
        "id_token_at_hash_mismatch",
        "The ID token does not match the access token",
        &["The at_hash claim does not match: the access token was swapped."],
        &["Discard the tokens and sign in again."],
        false,
        true,
    ),
    e(
        "id_token_subject_mismatch",
        "The refreshed ID token names another user",
        &[
            "The ID token of a refresh has another sub than the session's: the issuer mixed up \
             sessions, or the answer was tampered with.",
        ],
        &[
            "The session keeps its old tokens; sign the user out and in again, and report the \
             issuer's behaviour to its operators.",
        ],
        false,
        true,
    ),
    // Local situations.
    e(
        "cancelled",
        "The operation was cancelled",
        &["The caller cancelled the operation (for example the user closed the device prompt)."],
        &["Start again when the user wants to."],
        false,
        false,
    ),
    e(
        "storage_error",
        "Stored state could not be read or written",
        &["The storage location is not writable, full, or the stored data is corrupt."],
        &["Check permissions and free space, then sign in again if the data is lost."],
        false,
        false,
    ),
    e(
        "not_signed_in",
        "No session to take a token from",
        &[
            "Nothing is stored yet, or the user signed out.",
            "The access token expired and the session holds no refresh token to renew it.",
        ],
        &["Start a sign-in (device or authorization code) and hand its tokens to the session."],
        false,
        true,
    ),
];
