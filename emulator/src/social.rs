//! Social login provider hints and their documented failure codes.

use serde::Serialize;

/// A social provider that can be named in the `provider` authorization parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    /// Kakao.
    Kakao,
    /// WhatsApp.
    Whatsapp,
    /// WeChat.
    Wechat,
    /// Telegram.
    Telegram,
    /// LINE.
    Line,
    /// Google.
    Google,
}

impl Provider {
    /// Every provider.
    pub const ALL: [Provider; 6] = [
        Provider::Kakao,
        Provider::Whatsapp,
        Provider::Wechat,
        Provider::Telegram,
        Provider::Line,
        Provider::Google,
    ];

    /// Parses a provider name (case-insensitive).
    pub fn parse(name: &str) -> Option<Provider> {
        Provider::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(name.trim()))
    }

    /// The wire name.
    pub fn name(self) -> &'static str {
        match self {
            Provider::Kakao => "kakao",
            Provider::Whatsapp => "whatsapp",
            Provider::Wechat => "wechat",
            Provider::Telegram => "telegram",
            Provider::Line => "line",
            Provider::Google => "google",
        }
    }

    /// Human name for pages.
    pub fn label(self) -> &'static str {
        match self {
            Provider::Kakao => "Kakao",
            Provider::Whatsapp => "WhatsApp",
            Provider::Wechat => "WeChat",
            Provider::Telegram => "Telegram",
            Provider::Line => "LINE",
            Provider::Google => "Google",
        }
    }

    /// The error code and description a misconfigured provider answers on the redirect.
    /// LINE and Google have no published code, so they answer `temporarily_unavailable`.
    pub fn failure(self) -> (&'static str, &'static str) {
        match self {
            Provider::Kakao => (
                "KOE101",
                "Kakao did not accept the app ID configured for this client",
            ),
            Provider::Whatsapp => (
                "WAE102",
                "This phone number is not registered for WhatsApp login",
            ),
            Provider::Wechat => (
                "WCE102",
                "The WeChat app does not allow login from this domain",
            ),
            Provider::Telegram => ("TGE102", "No Telegram bot is set up for login"),
            Provider::Line => (
                "temporarily_unavailable",
                "LINE login is not available right now",
            ),
            Provider::Google => (
                "temporarily_unavailable",
                "Google login is not available right now",
            ),
        }
    }
}
