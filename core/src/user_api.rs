//! UPBOND user API: profile, verification email, email change.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use url::Url;

use crate::http::Operation;
use crate::{Client, Error, Secret};

/// The user's profile as the UPBOND user API returns it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserProfile {
    /// The user ID (equal to the ID token's `sub`).
    pub id: String,
    /// The current email address.
    pub email: Option<String>,
    /// Whether that address is verified.
    pub email_verified: Option<bool>,
    /// The display name.
    pub name: Option<String>,
    /// Every member as received.
    pub raw: Map<String, Value>,
}

/// The UPBOND user endpoints under `{issuer}/api/v1/users/{userId}`; get it from
/// [`Client::user_api`]. Every call uses the user's own access token.
#[derive(Clone, Debug)]
pub struct UserApi {
    client: Client,
}

impl Client {
    /// The UPBOND user API of this issuer.
    pub fn user_api(&self) -> UserApi {
        UserApi {
            client: self.clone(),
        }
    }
}

impl UserApi {
    /// Reads the user's profile.
    pub async fn profile(
        &self,
        access_token: &Secret,
        user_id: &str,
    ) -> Result<UserProfile, Error> {
        let url = self.url(user_id, &[])?;
        let request = self.client.transport().get_with(&url, access_token)?;
        let value = self
            .client
            .transport()
            .send(request, Operation::UserProfile)
            .await?
            .into_json()?;
        let Value::Object(raw) = value else {
            return Err(Error::Protocol("the profile is not a JSON object".into()));
        };
        let object = Value::Object(raw.clone());
        Ok(UserProfile {
            id: crate::json::string(&object, "id")
                .ok_or_else(|| Error::Protocol("the profile has no id".into()))?,
            email: crate::json::string(&object, "email"),
            email_verified: crate::json::boolean(&object, "email_verified"),
            name: crate::json::string(&object, "name"),
            raw,
        })
    }

    /// Sends the verification email again.
    pub async fn resend_verification_email(
        &self,
        access_token: &Secret,
        user_id: &str,
    ) -> Result<(), Error> {
        self.post(
            access_token,
            user_id,
            &["email", "resend-verification"],
            json!({}),
        )
        .await
    }

    /// Starts an email change; the current password must verify (else `EMAIL_007`).
    /// The new address receives a verification email.
    pub async fn change_email(
        &self,
        access_token: &Secret,
        user_id: &str,
        new_email: &str,
        current_password: &Secret,
    ) -> Result<(), Error> {
        let body = json!({"new_email": new_email, "current_password": current_password.expose()});
        self.post(access_token, user_id, &["email", "change"], body)
            .await
    }

    /// Completes an email verification or change with the code from the email.
    pub async fn verify_email(
        &self,
        access_token: &Secret,
        user_id: &str,
        code: &Secret,
    ) -> Result<(), Error> {
        self.post(
            access_token,
            user_id,
            &["email", "verify"],
            json!({"code": code.expose()}),
        )
        .await
    }

    async fn post(
        &self,
        access_token: &Secret,
        user_id: &str,
        path: &[&str],
        body: Value,
    ) -> Result<(), Error> {
        let url = self.url(user_id, path)?;
        let request = self
            .client
            .transport()
            .post_with(&url, access_token)?
            .json(&body);
        let result = self
            .client
            .transport()
            .send(request, Operation::Email)
            .await?
            .into_empty();
        result.map_err(|error| match error {
            // Every call here is an email operation: a rejected request or code is an email
            // failure the user can act on (wrong or expired code, unacceptable address).
            Error::InvalidRequest { description } | Error::InvalidGrant { description } => {
                Error::EmailOperationFailed {
                    error: "invalid_request".into(),
                    description,
                }
            }
            other => other,
        })
    }

    /// `{issuer}/api/v1/users/{user_id}/{path...}` with each segment percent-encoded.
    fn url(&self, user_id: &str, path: &[&str]) -> Result<Url, Error> {
        if user_id.is_empty() {
            return Err(Error::Config("the user ID is empty".into()));
        }
        let mut url = Url::parse(&self.client.config().issuer)
            .map_err(|e| Error::Config(format!("bad issuer URL: {e}")))?;
        url.path_segments_mut()
            .map_err(|()| Error::Config("the issuer URL cannot have a path".into()))?
            .pop_if_empty()
            .extend(["api", "v1", "users", user_id])
            .extend(path);
        Ok(url)
    }
}
