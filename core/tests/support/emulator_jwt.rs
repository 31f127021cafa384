//! JWTs signed with the emulator's published RS256 development key, as a misbehaving issuer
//! would sign them: for tests of answers the client must refuse although they verify.

use serde_json::Value;

/// `claims` as a JWT signed by the emulator at `issuer` (its RS256 key and `kid`).
pub async fn sign(issuer: &str, claims: &Value) -> String {
    let jwks: Value = reqwest::get(format!("{issuer}/.well-known/jwks.json"))
        .await
        .expect("JWKS answers")
        .json()
        .await
        .expect("JWKS is JSON");
    let kid = jwks["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .find(|k| k["alg"] == "RS256")
        .and_then(|k| k["kid"].as_str())
        .expect("an RS256 key")
        .to_owned();
    let key = jsonwebtoken::EncodingKey::from_rsa_pem(include_bytes!(
        "../../../emulator/keys/rsa-dev.pem"
    ))
    .expect("the development key");
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    header.kid = Some(kid);
    jsonwebtoken::encode(&header, claims, &key).expect("signed")
}
