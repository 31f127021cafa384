//! Token responses (lenient), ID tokens (strict) and userinfo.

pub mod id_token;
mod jws;
pub mod response;
pub mod userinfo;
