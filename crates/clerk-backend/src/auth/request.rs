//! `authenticate_request`: find the token in a request, route it by type, verify it.

use std::fmt;
use std::sync::Arc;
#[cfg(feature = "client-core")]
use std::time::Duration;
use std::time::SystemTime;

use http::HeaderMap;
use http::header::{AUTHORIZATION, COOKIE};
use serde::Serialize;

use super::claims::SessionClaims;
use super::error::{TokenVerificationErrorReason, VerifyError};
use super::jwt;
use super::machine::opaque_shape;
use super::machine::{MachineAuth, MachineErrorCode, MachineVerifyError, TokenType};
#[cfg(feature = "client-core")]
use super::machine_verify::MachineCache;
#[cfg(feature = "client-core")]
use super::verify::KeySource;
use super::verify::{self, JwtKind, VerifyOptions, unix_ms};
#[cfg(feature = "client-core")]
use crate::Clerk;

/// Which token types a route accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AcceptsToken {
    /// Every type.
    Any,
    /// Only these.
    Only(Vec<TokenType>),
}

impl AcceptsToken {
    /// Whether `t` is accepted.
    #[must_use]
    pub fn accepts(&self, t: TokenType) -> bool {
        match self {
            AcceptsToken::Any => true,
            AcceptsToken::Only(list) => list.contains(&t),
        }
    }
}

/// Options of [`authenticate_request`]: how session tokens are verified, which token types
/// are accepted (default: session tokens only, as in `@clerk/backend`), and (feature `client-core`)
/// the client that verifies opaque machine tokens, with its deadline and cache.
///
/// Clones share the machine-token cache.
#[derive(Debug, Clone)]
pub struct AuthenticateOptions {
    pub(crate) verify: VerifyOptions,
    pub(crate) accepts: AcceptsToken,
    #[cfg(feature = "client-core")]
    pub(crate) clerk: Option<Clerk>,
    #[cfg(feature = "client-core")]
    pub(crate) machine: Arc<MachineCache>,
}

impl AuthenticateOptions {
    /// Accept session tokens, verified with `verify`.
    #[must_use]
    pub fn new(verify: VerifyOptions) -> Self {
        #[cfg(feature = "client-core")]
        let clerk = match &verify.keys {
            KeySource::Remote(c, _) => Some(c.clone()),
            _ => None,
        };
        AuthenticateOptions {
            verify,
            accepts: AcceptsToken::Only(vec![TokenType::SessionToken]),
            #[cfg(feature = "client-core")]
            clerk,
            #[cfg(feature = "client-core")]
            machine: Arc::default(),
        }
    }

    /// Accept these token types.
    #[must_use]
    pub fn accepts_token(mut self, types: impl IntoIterator<Item = TokenType>) -> Self {
        self.accepts = AcceptsToken::Only(types.into_iter().collect());
        self
    }

    /// Accept every token type (session, API key, M2M, OAuth).
    #[must_use]
    pub fn accepts_any_token(mut self) -> Self {
        self.accepts = AcceptsToken::Any;
        self
    }

    /// The client that verifies opaque machine tokens (`ak_`, `mt_`, `oat_`) with the Backend
    /// API. Defaults to the client of [`VerifyOptions::clerk`], if any.
    #[cfg(feature = "client-core")]
    #[must_use]
    pub fn clerk(mut self, clerk: &Clerk) -> Self {
        self.clerk = Some(clerk.clone());
        self
    }

    /// Deadline of one machine-token verify call, retries excluded (there are none): default
    /// [`DEFAULT_MACHINE_VERIFY_TIMEOUT`](super::DEFAULT_MACHINE_VERIFY_TIMEOUT). A stalled
    /// Backend API signs the request out (`unexpected-error`) once it passes.
    #[cfg(feature = "client-core")]
    #[must_use]
    pub fn machine_verify_timeout(self, timeout: Duration) -> Self {
        let m = &self.machine;
        let (c, t, n) = (m.capacity, m.ttl, m.negative_ttl);
        self.with_machine_cache(c, t, n, timeout)
    }

    /// The machine-token cache: at most `capacity` tokens (oldest evicted first); a valid
    /// token is answered from it for up to `ttl` (never past its expiration), an unknown,
    /// revoked or expired one for `negative_ttl`. Concurrent requests with the same token
    /// share one call. Defaults: 10 000 tokens, 30 s, 10 s; a zero TTL turns that side off.
    #[cfg(feature = "client-core")]
    #[must_use]
    pub fn machine_cache(self, capacity: usize, ttl: Duration, negative_ttl: Duration) -> Self {
        let timeout = self.machine.timeout;
        self.with_machine_cache(capacity, ttl, negative_ttl, timeout)
    }

    #[cfg(feature = "client-core")]
    fn with_machine_cache(
        mut self,
        capacity: usize,
        ttl: Duration,
        negative_ttl: Duration,
        timeout: Duration,
    ) -> Self {
        self.machine = Arc::new(MachineCache::new(capacity, ttl, negative_ttl, timeout));
        self
    }

    /// The session verification options.
    #[must_use]
    pub fn verify_options(&self) -> &VerifyOptions {
        &self.verify
    }
}

/// Who made a request.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "token_type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Auth {
    /// A user, through a session token.
    #[serde(rename = "session_token")]
    Session(Arc<SessionClaims>),
    /// A machine, API key or OAuth client.
    Machine(Box<MachineAuth>),
}

impl Auth {
    /// The token type.
    #[must_use]
    pub fn token_type(&self) -> TokenType {
        match self {
            Auth::Session(_) => TokenType::SessionToken,
            Auth::Machine(m) => m.token_type,
        }
    }

    /// `sub` of a session, `subject` of a machine token.
    #[must_use]
    pub fn subject(&self) -> &str {
        match self {
            Auth::Session(c) => &c.sub,
            Auth::Machine(m) => &m.subject,
        }
    }

    /// The user id: a session's `sub`, or a machine token's subject when it is a user.
    #[must_use]
    pub fn user_id(&self) -> Option<&str> {
        match self {
            Auth::Session(c) => Some(&c.sub),
            Auth::Machine(m) => Some(m.subject.as_str()).filter(|s| s.starts_with("user_")),
        }
    }

    /// The session id, for session tokens.
    #[must_use]
    pub fn session_id(&self) -> Option<&str> {
        self.session().and_then(|c| c.sid.as_deref())
    }

    /// The active organization id (session), or the subject of an org-owned machine token.
    #[must_use]
    pub fn org_id(&self) -> Option<&str> {
        match self {
            Auth::Session(c) => c.org_id(),
            Auth::Machine(m) => Some(m.subject.as_str()).filter(|s| s.starts_with("org_")),
        }
    }

    /// Session claims, for session tokens.
    #[must_use]
    pub fn session(&self) -> Option<&SessionClaims> {
        match self {
            Auth::Session(c) => Some(c),
            Auth::Machine(_) => None,
        }
    }

    /// Machine token details, for machine tokens.
    #[must_use]
    pub fn machine(&self) -> Option<&MachineAuth> {
        match self {
            Auth::Machine(m) => Some(m),
            Auth::Session(_) => None,
        }
    }
}

/// Why a request is signed out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignedOutReason {
    /// No token in `Authorization: Bearer` nor the `__session` cookie
    /// (`session-token-and-uat-missing`).
    TokenMissing,
    /// A token of a type the route does not accept (`token-type-mismatch`).
    TokenTypeMismatch,
    /// A session or JWT-format machine token failed verification.
    Token(TokenVerificationErrorReason),
    /// An opaque machine token was refused.
    Machine(MachineErrorCode),
}

impl SignedOutReason {
    /// The reason as a string: `@clerk/backend`'s `AuthErrorReason`,
    /// `TokenVerificationErrorReason` or `MachineTokenVerificationErrorCode` value.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::TokenMissing => "session-token-and-uat-missing",
            Self::TokenTypeMismatch => "token-type-mismatch",
            Self::Token(r) => r.as_str(),
            Self::Machine(c) => c.as_str(),
        }
    }
}

impl fmt::Display for SignedOutReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A signed-out request: the reason, a message (never the token), and the token type when one
/// was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedOut {
    /// Why.
    pub reason: SignedOutReason,
    /// Detail for logs.
    pub message: String,
    /// The type of the token that was found, if any.
    pub token_type: Option<TokenType>,
}

/// The outcome of [`authenticate_request`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum RequestState {
    /// Authenticated.
    SignedIn(Auth),
    /// Not authenticated, and why.
    SignedOut(SignedOut),
}

impl RequestState {
    /// The auth, when signed in.
    #[must_use]
    pub fn auth(&self) -> Option<&Auth> {
        match self {
            RequestState::SignedIn(a) => Some(a),
            RequestState::SignedOut(_) => None,
        }
    }

    /// Whether the request is signed in.
    #[must_use]
    pub fn is_signed_in(&self) -> bool {
        matches!(self, RequestState::SignedIn(_))
    }
}

fn signed_out(
    reason: SignedOutReason,
    message: impl Into<String>,
    t: Option<TokenType>,
) -> RequestState {
    RequestState::SignedOut(SignedOut {
        reason,
        message: message.into(),
        token_type: t,
    })
}

fn from_verify(e: VerifyError, t: TokenType) -> RequestState {
    signed_out(SignedOutReason::Token(e.reason()), e.message(), Some(t))
}

fn from_machine(e: MachineVerifyError, t: TokenType) -> RequestState {
    signed_out(SignedOutReason::Machine(e.code), e.message, Some(t))
}

/// The bearer token of an `Authorization` header (scheme matched case-insensitively).
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = v.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    Some(token.trim()).filter(|t| !t.is_empty())
}

/// The `__session` cookie.
fn session_cookie(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| {
            let (name, value) = pair.trim().split_once('=')?;
            (name == "__session").then(|| value.trim().trim_matches('"'))
        })
        .filter(|t| !t.is_empty())
}

/// Authenticate a request: `Authorization: Bearer` first, then the `__session` cookie.
///
/// Session tokens are verified offline; a JWT whose header `cat` is not a session category
/// (e.g. a JWT-template token) is signed out (`token-type-mismatch`). Opaque machine tokens are
/// routed by prefix (`ak_` → `POST /api_keys/verify`, `mt_` → `POST /m2m_tokens/verify`,
/// `oat_` → `POST /oauth_applications/access_tokens/verify`): refused by shape before any
/// call, each call bounded by a short deadline without retries, answers cached (see
/// [`AuthenticateOptions::machine_cache`]). JWT-format M2M tokens (`sub` = `mch_…`) and OAuth
/// access tokens (`typ: at+jwt`) are verified offline with the session keys.
///
/// Browser handshakes, satellite domains and `__client_uat` are out of scope: a request without
/// a valid token is simply signed out (the browser SDK refreshes its token on its own).
///
/// ```
/// # async fn run(req: http::Request<()>, pem: &str) -> Result<(), clerk_backend::auth::VerifyError> {
/// use clerk_backend::auth::{authenticate_request, AuthenticateOptions, RequestState, VerifyOptions};
/// let options = AuthenticateOptions::new(VerifyOptions::new().jwt_key(pem)?);
/// match authenticate_request(&req, &options).await {
///     RequestState::SignedIn(auth) => println!("hello {}", auth.subject()),
///     RequestState::SignedOut(out) => println!("signed out: {}", out.reason),
///     _ => {}
/// }
/// # Ok(()) }
/// ```
pub async fn authenticate_request<B>(
    req: &http::Request<B>,
    options: &AuthenticateOptions,
) -> RequestState {
    authenticate_headers(req.headers(), options).await
}

/// [`authenticate_request`] over a request's headers (e.g. `&parts.headers`).
pub async fn authenticate_headers(
    headers: &HeaderMap,
    options: &AuthenticateOptions,
) -> RequestState {
    authenticate_headers_at(headers, options, SystemTime::now()).await
}

/// [`authenticate_headers`] with an explicit "now" (for tests).
pub async fn authenticate_headers_at(
    headers: &HeaderMap,
    options: &AuthenticateOptions,
    now: SystemTime,
) -> RequestState {
    let now_ms = unix_ms(now);
    let session_ok = options.accepts.accepts(TokenType::SessionToken);
    if let Some(token) = bearer(headers) {
        return authenticate_token(token, options, now_ms, true).await;
    }
    if let Some(token) = session_cookie(headers) {
        if !session_ok {
            return signed_out(
                SignedOutReason::TokenTypeMismatch,
                "a session cookie was sent but this route does not accept session tokens",
                Some(TokenType::SessionToken),
            );
        }
        return authenticate_token(token, options, now_ms, false).await;
    }
    signed_out(
        SignedOutReason::TokenMissing,
        "no token in the Authorization header or the __session cookie",
        None,
    )
}

async fn authenticate_token(
    token: &str,
    options: &AuthenticateOptions,
    now_ms: i64,
    from_header: bool,
) -> RequestState {
    let accepts = &options.accepts;
    // Fast path: a token verified before (only session tokens are ever cached).
    if accepts.accepts(TokenType::SessionToken)
        && let Some(claims) = verify::cached(token, &options.verify, now_ms)
    {
        return RequestState::SignedIn(Auth::Session(claims));
    }
    if from_header && let Some(t) = TokenType::from_prefix(token) {
        if !accepts.accepts(t) {
            return mismatch(t);
        }
        return verify_opaque(token, t, options).await;
    }
    let decoded = match jwt::decode(token, options.verify.max_token_len) {
        Ok(d) => d,
        Err(e) => {
            let t = TokenType::SessionToken;
            return if accepts.accepts(t) {
                from_verify(e, t)
            } else {
                mismatch(t)
            };
        }
    };
    let t = if decoded.is_at_jwt() {
        TokenType::OAuthToken
    } else if decoded
        .claims
        .sub
        .present()
        .is_some_and(|s| s.starts_with("mch_"))
    {
        TokenType::M2mToken
    } else {
        TokenType::SessionToken
    };
    if !accepts.accepts(t) || (!from_header && t != TokenType::SessionToken) {
        return mismatch(t);
    }
    // A JWT of another category (a JWT template's, say) signed by the instance key is never a
    // session.
    if t == TokenType::SessionToken && !decoded.cat.is_session() {
        return mismatch(t);
    }
    match t {
        TokenType::SessionToken => {
            match verify::verify_session_decoded(token, decoded, &options.verify, now_ms).await {
                Ok(c) => RequestState::SignedIn(Auth::Session(c)),
                Err(e) => from_verify(e, t),
            }
        }
        _ => {
            let kind = if t == TokenType::OAuthToken {
                JwtKind::OAuth
            } else {
                JwtKind::M2m
            };
            match verify::verify_decoded(decoded, &options.verify, now_ms, kind).await {
                Ok((c, _, _)) => {
                    RequestState::SignedIn(Auth::Machine(Box::new(MachineAuth::from_jwt(t, c))))
                }
                Err(e) => from_verify(e, t),
            }
        }
    }
}

#[cfg(feature = "client-core")]
async fn verify_opaque(token: &str, t: TokenType, options: &AuthenticateOptions) -> RequestState {
    if let Err(e) = opaque_shape(token) {
        return from_machine(e, t);
    }
    let Some(clerk) = &options.clerk else {
        return signed_out(
            SignedOutReason::Machine(MachineErrorCode::InvalidSecretKey),
            "machine tokens need a Clerk client with a secret key (AuthenticateOptions::clerk)",
            Some(t),
        );
    };
    match options.machine.verify(clerk, t, token).await {
        Ok(m) => RequestState::SignedIn(Auth::Machine(Box::new(m))),
        Err(e) => from_machine(e, t),
    }
}

#[cfg(not(feature = "client-core"))]
#[allow(clippy::unused_async)]
async fn verify_opaque(token: &str, t: TokenType, _options: &AuthenticateOptions) -> RequestState {
    if let Err(e) = opaque_shape(token) {
        return from_machine(e, t);
    }
    signed_out(
        SignedOutReason::Machine(MachineErrorCode::InvalidSecretKey),
        "opaque machine tokens are verified by the Backend API: enable the `client-core` feature",
        Some(t),
    )
}

fn mismatch(t: TokenType) -> RequestState {
    signed_out(
        SignedOutReason::TokenTypeMismatch,
        format!("a {t} was sent but this route does not accept it"),
        Some(t),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn token_sources() {
        let mut h = HeaderMap::new();
        h.insert(AUTHORIZATION, HeaderValue::from_static("bearer abc "));
        assert_eq!(bearer(&h), Some("abc"));
        h.insert(AUTHORIZATION, HeaderValue::from_static("Basic abc"));
        assert_eq!(bearer(&h), None);
        h.insert(AUTHORIZATION, HeaderValue::from_static("Bearer "));
        assert_eq!(bearer(&h), None);
        h.append(COOKIE, HeaderValue::from_static("a=1; __session_x=2"));
        h.append(COOKIE, HeaderValue::from_static("b=2; __session=tok; c=3"));
        assert_eq!(session_cookie(&h), Some("tok"));
    }
}
