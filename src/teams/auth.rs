//! Inbound authentication of Bot Framework activities (`POST /api/messages`), as the Bot
//! Connector authentication spec says: `Authorization: Bearer <JWT>`, RS256 only, signed by a key
//! from the channel's OpenID metadata ([`KeyCache`]), issuer `https://api.botframework.com`,
//! audience = our app id, `exp`/`nbf` with five minutes of skew, the `serviceurl` claim equal to
//! the activity's `serviceUrl` (exact string), the activity's channel `msteams` (other channels and
//! an empty channelId are refused) and among the signing key's endorsements.
//!
//! The RS256 check is the costly part (a profile of `POST /api/messages` under load put half of
//! the CPU in it), and the channel sends the same token with every activity for about an hour,
//! so a token that passed it is remembered ([`VerifiedTokens`], by the SHA-256 of the whole
//! token) with the key that verified it and its claims. Everything else runs on every request,
//! remembered or not: the lifetime against the clock (the same skew), the `serviceurl` claim
//! against this activity, the channel, and the endorsement by the key as published now. A
//! remembered token is used only while its key id still names the very key that verified it:
//! once a refresh drops that kid or publishes other material or endorsements under it, the entry
//! is forgotten and the token verified afresh (and refused), so a removed key never outlives the
//! refresh that removed it. No entry outlives the token's `exp` plus the skew, or ten minutes.
//!
//! The only module that knows jsonwebtoken. Knows nothing of HTTP frameworks or activity
//! dispatch; callers answer every [`AuthError`] with a bare 401.

use std::collections::HashSet;
use std::sync::Arc;

use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use serde::Deserialize;

use super::clock::Clock;
use super::keys::{KeyCache, SigningKey};
use super::verified_tokens::{TokenId, VerifiedTokens};

pub const CHANNEL_ISSUER: &str = "https://api.botframework.com";
pub const CHANNEL_METADATA_URL: &str = "https://login.botframework.com/v1/.well-known/openidconfiguration";
/// The only Bot Framework channel errkb answers.
pub const TEAMS_CHANNEL: &str = "msteams";
/// Clock skew allowed on `exp` and `nbf`, in seconds.
pub const SKEW_SECS: u64 = 300;

/// Why a token was refused. For logs at debug level only: the HTTP answer is a bare 401.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("no Bearer token")]
    NoToken,
    #[error("the token is malformed")]
    Malformed,
    #[error("the token is not signed with RS256")]
    Algorithm,
    #[error("no signing key with the token's key id")]
    UnknownKey,
    #[error("the signature, issuer or audience is wrong")]
    Invalid,
    #[error("the token has expired or is not valid yet")]
    Lifetime,
    #[error("the serviceurl claim does not match the activity")]
    ServiceUrl,
    #[error("the signing key is not endorsed for this channel")]
    Endorsement,
    #[error("the activity is not from the Teams channel (`msteams`)")]
    Channel,
}

#[derive(Debug, Deserialize)]
struct Claims {
    exp: Option<u64>,
    nbf: Option<u64>,
    serviceurl: Option<String>,
}

/// What the signature check established about a token: the key that verified it (signature,
/// issuer and audience) and the claims the per-request checks read.
#[derive(Debug)]
struct Verified {
    key: Arc<SigningKey>,
    claims: Claims,
}

/// Validates channel tokens for one bot.
#[derive(Debug)]
pub struct ChannelAuth {
    app_id: String,
    keys: KeyCache,
    clock: Clock,
    verified: VerifiedTokens<Verified>,
}

impl ChannelAuth {
    pub fn new(app_id: impl Into<String>, metadata_url: impl Into<String>, clock: Clock) -> ChannelAuth {
        let keys = KeyCache::new(metadata_url, clock.clone());
        ChannelAuth { app_id: app_id.into(), keys, clock, verified: VerifiedTokens::default() }
    }

    /// Checks the `Authorization` header of an activity with this `serviceUrl` and `channelId`.
    pub async fn validate(
        &self,
        authorization: Option<&str>,
        service_url: &str,
        channel_id: &str,
    ) -> Result<(), AuthError> {
        let token = bearer(authorization)?;
        let Verified { key, claims } = &*self.verified(token).await?;
        self.check_lifetime(claims)?;
        if claims.serviceurl.as_deref() != Some(service_url) {
            return Err(AuthError::ServiceUrl);
        }
        // errkb is a Teams bot: other Bot Framework channels (and an empty channelId, which the
        // SDKs let skip the endorsement check) are refused, even with a valid token.
        if channel_id != TEAMS_CHANNEL {
            return Err(AuthError::Channel);
        }
        if !key.endorsements.iter().any(|e| e == channel_id) {
            return Err(AuthError::Endorsement);
        }
        Ok(())
    }

    /// How many verified tokens are remembered (for tests and diagnostics).
    pub fn remembered_tokens(&self) -> usize {
        self.verified.len()
    }

    /// The token's signature check: remembered while the key that passed it is still published
    /// unchanged under its kid, else run now (and remembered when the token is within its
    /// lifetime, until `exp` plus the skew).
    async fn verified(&self, token: &str) -> Result<Arc<Verified>, AuthError> {
        let id = TokenId::of(token);
        if let Some(known) = self.verified.get(&id, self.clock.now()) {
            if self.keys.get(&known.key.kid).await.is_some_and(|current| current == known.key) {
                return Ok(known);
            }
            self.verified.forget(&id);
        }
        let verified = Arc::new(self.verify(token).await?);
        self.check_lifetime(&verified.claims)?;
        if let Some(exp) = verified.claims.exp {
            self.verified.remember(id, verified.clone(), exp.saturating_add(SKEW_SECS), self.clock.now());
        }
        Ok(verified)
    }

    /// The RS256 check: header, key by kid, signature, issuer and audience.
    async fn verify(&self, token: &str) -> Result<Verified, AuthError> {
        let header = decode_header(token).map_err(|_| AuthError::Malformed)?;
        if header.alg != Algorithm::RS256 {
            return Err(AuthError::Algorithm);
        }
        let kid = header.kid.ok_or(AuthError::UnknownKey)?;
        let key = self.keys.get(&kid).await.ok_or(AuthError::UnknownKey)?;
        let decoding = DecodingKey::from_rsa_components(&key.n, &key.e).map_err(|_| AuthError::UnknownKey)?;
        let claims = decode::<Claims>(token, &decoding, &self.validation()).map_err(|_| AuthError::Invalid)?.claims;
        Ok(Verified { key, claims })
    }

    fn validation(&self) -> Validation {
        let mut v = Validation::new(Algorithm::RS256);
        v.set_issuer(&[CHANNEL_ISSUER]);
        v.set_audience(&[self.app_id.as_str()]);
        // Lifetimes are checked against the injectable clock in `check_lifetime`.
        v.validate_exp = false;
        v.validate_nbf = false;
        v.required_spec_claims = HashSet::from(["iss".to_string(), "aud".to_string()]);
        v
    }

    fn check_lifetime(&self, claims: &Claims) -> Result<(), AuthError> {
        let now = self.clock.now();
        let exp = claims.exp.ok_or(AuthError::Lifetime)?;
        if now >= exp.saturating_add(SKEW_SECS) {
            return Err(AuthError::Lifetime);
        }
        if claims.nbf.is_some_and(|nbf| now.saturating_add(SKEW_SECS) < nbf) {
            return Err(AuthError::Lifetime);
        }
        Ok(())
    }
}

/// The token of `Bearer <token>`: exactly one space, the scheme spelled as the SDKs require.
fn bearer(authorization: Option<&str>) -> Result<&str, AuthError> {
    let header = authorization.ok_or(AuthError::NoToken)?;
    let mut parts = header.split(' ');
    match (parts.next(), parts.next(), parts.next()) {
        (Some("Bearer"), Some(token), None) if !token.is_empty() => Ok(token),
        _ => Err(AuthError::NoToken),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_single_space_bearer_header_carries_a_token() {
        assert_eq!(bearer(Some("Bearer abc")), Ok("abc"));
        assert_eq!(bearer(Some("bearer abc")), Err(AuthError::NoToken));
        assert_eq!(bearer(Some("Bearer  abc")), Err(AuthError::NoToken));
        assert_eq!(bearer(Some("Bearer")), Err(AuthError::NoToken));
        assert_eq!(bearer(None), Err(AuthError::NoToken));
    }
}
