//! The UPBOND user API (profile, email verification and change) as methods of [`Client`].

use upbond_core as core;
use upbond_core::Secret;

use crate::client::Client;
use crate::{UpbondError, runtime};

/// A user's profile from the UPBOND user API.
#[derive(uniffi::Record)]
pub struct UserProfile {
    /// The user ID (the `sub` of their tokens).
    pub id: String,
    /// The email address, when known.
    pub email: Option<String>,
    /// Whether the email address is verified, when known.
    pub email_verified: Option<bool>,
    /// The display name, when known.
    pub name: Option<String>,
    /// The whole profile as received, as a JSON object.
    pub raw_json: String,
}

impl From<core::UserProfile> for UserProfile {
    fn from(p: core::UserProfile) -> Self {
        UserProfile {
            raw_json: serde_json::Value::Object(p.raw).to_string(),
            id: p.id,
            email: p.email,
            email_verified: p.email_verified,
            name: p.name,
        }
    }
}

#[uniffi::export]
impl Client {
    /// The profile of `user_id` (the `sub`), with that user's access token.
    pub async fn user_profile(
        &self,
        access_token: String,
        user_id: String,
    ) -> Result<UserProfile, UpbondError> {
        runtime::run(async {
            let token = Secret::from(access_token);
            Ok(self
                .inner
                .user_api()
                .profile(&token, &user_id)
                .await?
                .into())
        })
        .await
    }

    /// Sends the verification email again.
    pub async fn resend_verification_email(
        &self,
        access_token: String,
        user_id: String,
    ) -> Result<(), UpbondError> {
        runtime::run(async {
            let token = Secret::from(access_token);
            let api = self.inner.user_api();
            Ok(api.resend_verification_email(&token, &user_id).await?)
        })
        .await
    }

    /// Starts an email change; a wrong `current_password` is `EMAIL_007`. The new address
    /// gets a code to finish with [`Client::verify_email`].
    pub async fn change_email(
        &self,
        access_token: String,
        user_id: String,
        new_email: String,
        current_password: String,
    ) -> Result<(), UpbondError> {
        runtime::run(async {
            let token = Secret::from(access_token);
            let password = Secret::from(current_password);
            let api = self.inner.user_api();
            Ok(api
                .change_email(&token, &user_id, &new_email, &password)
                .await?)
        })
        .await
    }

    /// Completes an email verification or change with the code from the email.
    pub async fn verify_email(
        &self,
        access_token: String,
        user_id: String,
        code: String,
    ) -> Result<(), UpbondError> {
        runtime::run(async {
            let token = Secret::from(access_token);
            let code = Secret::from(code);
            let api = self.inner.user_api();
            Ok(api.verify_email(&token, &user_id, &code).await?)
        })
        .await
    }
}
