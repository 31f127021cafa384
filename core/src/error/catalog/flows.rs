//! Catalog entries of the sign-in flows: client setup, authorization, social providers,
//! tokens, email, device flow, limits.
//! Wording is ours; the codes and facts follow UPBOND's troubleshooting guide.

use super::{CatalogEntry, entry as e};

pub(super) const ENTRIES: &[CatalogEntry] = &[
    // Client and redirect setup.
    e(
        "invalid_client",
        "The issuer did not accept the client",
        &[
            "The client ID has a typo or a different letter case than the registered one.",
            "The client is not registered with this UPBOND issuer (wrong environment?).",
            "The client has been disabled or suspended.",
            "A confidential client sent a wrong or rotated client secret.",
        ],
        &[
            "Compare the client ID with the one in the UPBOND dashboard, character by character.",
            "Make sure the issuer URL belongs to the environment where the client is registered.",
            "Check in the dashboard that the client is active.",
            "For confidential clients, copy the current client secret again.",
            "If everything matches, contact UPBOND support with the client ID (never the secret).",
        ],
        false,
        false,
    ),
    e(
        "redirect_uri_mismatch",
        "The redirect URI is not registered",
        &[
            "The redirect URI was never added to the application settings.",
            "It differs in scheme, host, port, path or query from the registered one.",
            "A trailing slash is present on one side only.",
        ],
        &[
            "Open the application settings in the UPBOND dashboard and list the redirect URIs.",
            "Make the configured redirect URI identical to a registered one, byte for byte.",
            "Register the URI if it is missing. Loopback redirects (http://127.0.0.1) match on any port.",
        ],
        false,
        false,
    ),
    e(
        "invalid_config",
        "The configuration breaks the platform guidance",
        &[
            "The issuer uses plain http on a host other than loopback.",
            "A public (native or single-page) client carries a client secret.",
            "client_credentials was requested without a client secret.",
            "A custom-scheme redirect URI is not in reverse-DNS form, or a redirect URI has a fragment.",
            "A required setting (issuer, client ID, redirect URI) is missing or malformed.",
        ],
        &[
            "Read the message: it names the setting and the rule.",
            "Use https issuers; plain http is only for 127.0.0.1, [::1] or localhost during development.",
            "Keep secrets out of apps that run on user devices; use PKCE instead.",
            "Use a redirect scheme based on a domain you own, reversed (com.example.app:/callback).",
        ],
        false,
        false,
    ),
    // Authorization results.
    e(
        "invalid_request",
        "The issuer rejected the request as malformed",
        &[
            "A required parameter is missing or repeated.",
            "A parameter has an invalid value.",
        ],
        &[
            "Read the issuer's description in the message.",
            "Update upbond-login; report the request if it persists.",
        ],
        false,
        false,
    ),
    e(
        "unauthorized_client",
        "The client may not use this grant",
        &["The grant type is not enabled for this client in the dashboard."],
        &["Enable the grant type for the client, or use the flow the client is registered for."],
        false,
        false,
    ),
    e(
        "unsupported_grant_type",
        "The issuer does not support this grant",
        &[
            "The issuer has not enabled this grant type.",
            "The issuer URL points at the wrong server.",
        ],
        &["Check the grant_types_supported list in the issuer's discovery document."],
        false,
        false,
    ),
    e(
        "invalid_scope",
        "A requested scope is invalid",
        &[
            "A scope name has a typo.",
            "The client is not allowed to request this scope.",
        ],
        &["Compare the requested scopes with the client's allowed scopes in the dashboard."],
        false,
        false,
    ),
    e(
        "access_denied",
        "The authorization was denied",
        &[
            "The user declined the consent screen or cancelled the login.",
            "An administrator policy refused the request.",
        ],
        &[
            "Let the user start the sign-in again when they are ready.",
            "If nobody declined, check the access policies of the client.",
        ],
        false,
        true,
    ),
    e(
        "login_required",
        "The user has to sign in interactively",
        &[
            "A silent request (prompt=none) found no session at the issuer.",
            "The user must give consent or pick an account first.",
        ],
        &["Start the sign-in again without prompt=none so the user can act."],
        false,
        true,
    ),
    e(
        "invalid_grant",
        "The grant is invalid, expired or revoked",
        &[
            "The authorization code was already used or has expired.",
            "The refresh token was revoked, expired, or reused after rotation.",
            "The PKCE verifier or redirect URI differs from the authorization request.",
        ],
        &[
            "Sign the user in again to obtain fresh tokens.",
            "Store each rotated refresh token before using it, and never use an old one again.",
        ],
        false,
        true,
    ),
    e(
        "state_mismatch",
        "The callback does not belong to the pending sign-in",
        &[
            "The callback belongs to another (older or parallel) sign-in attempt.",
            "The callback URL was forged or tampered with.",
        ],
        &["Start a new sign-in and complete it with the pending request it returned."],
        false,
        true,
    ),
    e(
        "issuer_mismatch",
        "An issuer identifier did not match",
        &[
            "The discovery document names a different issuer than configured (check a trailing slash).",
            "The callback's iss parameter names another issuer (a mix-up attack or misconfiguration).",
        ],
        &[
            "Configure the issuer exactly as the discovery document spells it.",
            "If the callback issuer differs, do not trust the callback; start a new sign-in.",
        ],
        false,
        true,
    ),
    // Social providers.
    e(
        "KOE101",
        "Kakao login failed: invalid app ID",
        &["The Kakao app ID configured for the UPBOND client is wrong or missing."],
        &[
            "Check the Kakao app ID in the UPBOND dashboard's Kakao settings.",
            "Compare it with the app in the Kakao Developers console.",
        ],
        false,
        false,
    ),
    e(
        "WAE102",
        "WhatsApp login failed: phone number not registered",
        &["The WhatsApp Business number used for login is not registered or verified."],
        &[
            "Complete verification of the WhatsApp Business Account.",
            "Check the account status in Meta Business Suite.",
        ],
        false,
        false,
    ),
    e(
        "WCE102",
        "WeChat login failed: domain not authorized",
        &["The app's domain is missing from the WeChat app's authorized domains."],
        &[
            "Add the domain to the WeChat app settings.",
            "Check the domain allowlist in the WeChat developer console.",
        ],
        false,
        false,
    ),
    e(
        "TGE102",
        "Telegram login failed: bot not set up for login",
        &["The Telegram bot has no login domain configured."],
        &[
            "Set the bot's domain with @BotFather (/setdomain).",
            "Check that the bot named in the UPBOND dashboard is the one you configured.",
        ],
        false,
        false,
    ),
    // Tokens.
    e(
        "invalid_token",
        "The access token is invalid or expired",
        &[
            "The access token expired.",
            "The token was revoked (logout, password change, admin).",
            "The value is not an access token of this issuer.",
            "The clocks of client and server disagree.",
        ],
        &[
            "Refresh the token and try again.",
            "Synchronise the device clock (NTP).",
            "If the refresh fails too, sign the user in again.",
        ],
        false,
        false,
    ),
    e(
        "insufficient_scope",
        "The access token lacks a required scope",
        &[
            "The token was issued for fewer scopes than the resource needs.",
            "The user did not grant every requested scope.",
        ],
        &[
            "Look at the scope named in the message.",
            "Request that scope in a new sign-in and make sure the client may request it.",
        ],
        false,
        true,
    ),
    e(
        "unsupported_token_type",
        "The issuer returned an unknown token type",
        &["The token response's token_type is neither Bearer nor any type upbond-login supports."],
        &[
            "Check the issuer's client settings (for example DPoP-bound tokens) and use Bearer tokens.",
        ],
        false,
        false,
    ),
    e(
        "userinfo_subject_mismatch",
        "The userinfo subject differs from the ID token's",
        &[
            "The access token belongs to another user than the ID token.",
            "The userinfo response was tampered with.",
        ],
        &["Discard both answers and sign the user in again."],
        false,
        true,
    ),
    // Email and user management.
    e(
        "EMAIL_007",
        "The current password did not verify",
        &[
            "The current password was typed wrongly.",
            "The account is locked or restricted for security reasons.",
            "Too many attempts in a short time.",
        ],
        &[
            "Ask the user to enter the current password again.",
            "Check the account's security status.",
            "Wait a minute before retrying; use a password reset if the password is lost.",
        ],
        false,
        false,
    ),
    e(
        "email_operation_failed",
        "The email operation failed",
        &[
            "The verification code is wrong or expired.",
            "The new email address is not acceptable.",
            "The email service is having trouble.",
        ],
        &[
            "Read the issuer's description in the message.",
            "Resend the verification email and use the newest code.",
            "Check spam folders and the spelling of the address.",
        ],
        false,
        false,
    ),
    // Device flow.
    e(
        "expired_token",
        "The device code expired",
        &["The user did not approve within the device code lifetime (30 minutes by default)."],
        &[
            "Start the device sign-in again to get a new code.",
            "Show the code prominently so the user can act quickly.",
        ],
        false,
        true,
    ),
    e(
        "invalid_user_code",
        "The user code is not valid",
        &[
            "A character was typed wrongly (codes avoid 0/O and 1/I/L look-alikes).",
            "The code belongs to an expired device request.",
        ],
        &[
            "Re-type the code exactly as shown; case, spaces and dashes do not matter.",
            "Start a new device sign-in if the code has expired.",
        ],
        false,
        false,
    ),
    // Limits and server state.
    e(
        "rate_limit_exceeded",
        "Too many requests",
        &[
            "The client exceeded UPBOND's per-minute limits: authentication 60, token refresh 30, \
         user management 100, email operations 10.",
        ],
        &[
            "Wait for the time in Retry-After, then retry with exponential backoff.",
            "Reuse tokens until they are close to expiry instead of refreshing early.",
            "Ask UPBOND support for a higher limit if the traffic is legitimate.",
        ],
        true,
        false,
    ),
    e(
        "rate_budget_exhausted",
        "The app used up its own request budget",
        &[
            "The app sent more requests in a minute than the SDK's rate budget for that \
         category allows (by default UPBOND's published limits), typically a loop that signs \
         in or refreshes again and again.",
        ],
        &[
            "Wait for the time the error carries; nothing was sent to the issuer.",
            "Find the loop: cache tokens and refresh only when they are close to expiry.",
            "Set `rate_budgets.when_exhausted` to wait instead, or raise the budget if your \
         UPBOND plan allows more.",
        ],
        true,
        false,
    ),
    e(
        "server_error",
        "The issuer reported a server failure",
        &["The issuer had an internal error or is temporarily overloaded."],
        &[
            "Retry with exponential backoff.",
            "Check the UPBOND status page.",
        ],
        true,
        false,
    ),
];
