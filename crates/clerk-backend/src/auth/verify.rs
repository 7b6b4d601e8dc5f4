//! `verify_token`: networkless session-token verification.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::claims::{Claim, RawClaims, SessionClaims};
use super::error::{TokenVerificationErrorReason as Reason, VerifyError};
#[cfg(feature = "client-core")]
use super::jwks::{JwksCache, Lookup};
use super::jwt::{self, Cat, Decoded, HeaderStr};
use super::keys::{Algorithm, Jwk, KeySet, RsaKey, next_keyset_id};
use super::token_cache::TokenCache;
#[cfg(feature = "client-core")]
use crate::Clerk;

/// Where verification keys come from.
#[derive(Clone)]
pub(crate) enum KeySource {
    /// A PEM public key: used for every token, whatever its `kid` (as `@clerk/backend` does).
    Pem(Arc<RsaKey>, u64),
    /// A JWKS the caller provided.
    Jwks(Arc<KeySet>),
    /// `GET /jwks` through a client, cached per instance.
    #[cfg(feature = "client-core")]
    Remote(Clerk, Arc<JwksCache>),
    /// Nothing configured.
    None,
}

impl fmt::Debug for KeySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeySource::Pem(k, _) => f.debug_tuple("Pem").field(k).finish(),
            KeySource::Jwks(s) => f.debug_tuple("Jwks").field(&s.keys.len()).finish(),
            #[cfg(feature = "client-core")]
            KeySource::Remote(c, _) => f.debug_tuple("Remote").field(&c.server_url()).finish(),
            KeySource::None => f.write_str("None"),
        }
    }
}

/// Default allowed clock difference.
pub const DEFAULT_CLOCK_SKEW: Duration = Duration::from_secs(5);
/// Default lifetime of a fetched JWKS before it is refreshed.
pub const DEFAULT_JWKS_TTL: Duration = Duration::from_secs(3600);
/// Default minimum time between two JWKS fetches (unknown `kid`s within it cause no fetch).
pub const DEFAULT_JWKS_MIN_REFRESH_INTERVAL: Duration = Duration::from_secs(5);

/// How to verify session tokens: where keys come from and which claims to enforce.
///
/// Build it once and share it (it is cheap to clone: keys are parsed once and reference
/// counted).
///
/// ```
/// use clerk_backend::auth::VerifyOptions;
/// # let pem = include_str!("../../tests/fixtures/auth/rsa_a.pub.pem");
/// let options = VerifyOptions::new()
///     .jwt_key(pem)?                                   // CLERK_JWT_KEY: networkless
///     .authorized_parties(["https://app.example.com"]) // azp allow-list
///     .clock_skew(std::time::Duration::from_secs(5));
/// # Ok::<(), clerk_backend::auth::VerifyError>(())
/// ```
#[derive(Clone)]
pub struct VerifyOptions {
    pub(crate) keys: KeySource,
    pub(crate) authorized_parties: Vec<String>,
    pub(crate) audience: Vec<String>,
    pub(crate) issuer: Option<String>,
    pub(crate) header_type: Option<Vec<String>>,
    pub(crate) clock_skew_ms: i64,
    pub(crate) max_token_len: usize,
    pub(crate) jwks_ttl: Duration,
    pub(crate) jwks_min_refresh_interval: Duration,
    pub(crate) token_cache: Option<Arc<TokenCache>>,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions {
            keys: KeySource::None,
            authorized_parties: Vec::new(),
            audience: Vec::new(),
            issuer: None,
            header_type: None,
            clock_skew_ms: 5000,
            max_token_len: jwt::DEFAULT_MAX_TOKEN_LEN,
            jwks_ttl: DEFAULT_JWKS_TTL,
            jwks_min_refresh_interval: DEFAULT_JWKS_MIN_REFRESH_INTERVAL,
            token_cache: None,
        }
    }
}

impl fmt::Debug for VerifyOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyOptions")
            .field("keys", &self.keys)
            .field("authorized_parties", &self.authorized_parties)
            .field("audience", &self.audience)
            .field("issuer", &self.issuer)
            .field("header_type", &self.header_type)
            .field("clock_skew_ms", &self.clock_skew_ms)
            .field("max_token_len", &self.max_token_len)
            .field("token_cache", &self.token_cache)
            .finish_non_exhaustive()
    }
}

impl VerifyOptions {
    /// Options with no key source yet, 5 s clock skew, no authorized-party check.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Options from the environment: `CLERK_JWT_KEY` (networkless) if set, else (with the
    /// `client-core` feature) the JWKS of the instance of `CLERK_SECRET_KEY` / `CLERK_API_URL`.
    ///
    /// # Errors
    /// When neither is set or the key is malformed (reason `jwk-failed-to-resolve`).
    pub fn from_env() -> Result<Self, VerifyError> {
        if let Some(pem) = std::env::var("CLERK_JWT_KEY")
            .ok()
            .filter(|v| !v.trim().is_empty())
        {
            return Self::new().jwt_key(&pem);
        }
        #[cfg(feature = "client-core")]
        {
            let clerk = Clerk::from_env().map_err(|e| {
                VerifyError::new(
                    Reason::JwkFailedToResolve,
                    format!("no CLERK_JWT_KEY and {e}"),
                )
            })?;
            Ok(Self::new().clerk(&clerk))
        }
        #[cfg(not(feature = "client-core"))]
        Err(VerifyError::new(
            Reason::JwkFailedToResolve,
            "CLERK_JWT_KEY is not set",
        ))
    }

    /// Verify with this PEM public key (the Dashboard's "JWT public key", `CLERK_JWT_KEY`):
    /// no network at all. The key is used whatever the token's `kid`, for RS256 tokens only
    /// (Clerk signs session tokens with RS256; see [`jwt_key_for`](Self::jwt_key_for)).
    ///
    /// # Errors
    /// Reason `jwk-failed-to-resolve` when the PEM is not an RSA public key of 2048–8192 bits.
    pub fn jwt_key(self, pem: &str) -> Result<Self, VerifyError> {
        self.jwt_key_for(pem, Algorithm::RS256)
    }

    /// [`jwt_key`](Self::jwt_key) for tokens signed with `alg` instead of RS256.
    ///
    /// # Errors
    /// As [`jwt_key`](Self::jwt_key).
    pub fn jwt_key_for(mut self, pem: &str, alg: Algorithm) -> Result<Self, VerifyError> {
        let key = RsaKey::from_pem(pem).map_err(|m| {
            VerifyError::new(Reason::JwkFailedToResolve, format!("invalid jwt_key: {m}"))
        })?;
        self.keys = KeySource::Pem(Arc::new(key.pinned(alg)), next_keyset_id());
        Ok(self.reset_cache())
    }

    /// Verify with keys you provide (e.g. a JWKS you fetched and stored yourself). A key with
    /// an `alg` verifies only that algorithm; a key that cannot verify (not RSA, `use` other
    /// than `sig`, a modulus under 2048 bits) fails the tokens naming its `kid`
    /// (`token-verification-failed`).
    ///
    /// # Errors
    /// Reason `jwk-remote-invalid` when `keys` is empty.
    pub fn jwks(mut self, keys: &[Jwk]) -> Result<Self, VerifyError> {
        if keys.is_empty() {
            return Err(VerifyError::new(
                Reason::RemoteJwkInvalid,
                "the JWKS has no key",
            ));
        }
        self.keys = KeySource::Jwks(Arc::new(KeySet::from_jwks(keys)));
        Ok(self.reset_cache())
    }

    /// Like [`jwks`](Self::jwks), from a JWKS JSON document (`{"keys": [...]}`).
    ///
    /// # Errors
    /// Reason `jwk-remote-invalid` when the JSON is malformed, `jwk-remote-failed-to-load`
    /// when it has no key.
    pub fn jwks_json(mut self, json: &str) -> Result<Self, VerifyError> {
        self.keys = KeySource::Jwks(Arc::new(KeySet::from_jwks_json(json.as_bytes())?));
        Ok(self.reset_cache())
    }

    /// Fetch keys with `GET /jwks` through `clerk`, cached per instance (server URL + secret
    /// key): parsed once, refreshed after the TTL and on an unknown `kid` (single-flight, at
    /// most once per [minimum interval](Self::jwks_min_refresh_interval)).
    #[cfg(feature = "client-core")]
    #[must_use]
    pub fn clerk(mut self, clerk: &Clerk) -> Self {
        self.keys = KeySource::Remote(clerk.clone(), JwksCache::for_client(clerk));
        self.reset_cache()
    }

    /// Origins allowed in `azp`. Once set, a token without `azp` fails
    /// (`token-invalid-authorized-parties`).
    #[must_use]
    pub fn authorized_parties<I, S>(mut self, parties: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.authorized_parties = parties.into_iter().map(Into::into).collect();
        self.reset_cache()
    }

    /// Audiences accepted in `aud` (checked when the token has an `aud`).
    #[must_use]
    pub fn audience<I, S>(mut self, audience: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.audience = audience.into_iter().map(Into::into).collect();
        self.reset_cache()
    }

    /// Require `iss` to equal this (your instance's Frontend API URL). Off by default, as in
    /// `@clerk/backend`.
    #[must_use]
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = Some(issuer.into());
        self.reset_cache()
    }

    /// Accepted values of the header's `typ` (default: `JWT`, or no `typ`). Once set, a token
    /// without `typ` is rejected (`token-invalid`), as `@clerk/backend`'s `headerType` does.
    #[must_use]
    pub fn header_type<I, S>(mut self, types: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.header_type = Some(types.into_iter().map(Into::into).collect());
        self.reset_cache()
    }

    /// Allowed clock difference for `exp`, `nbf` and `iat` (default 5 s; zero means zero).
    #[must_use]
    pub fn clock_skew(mut self, skew: Duration) -> Self {
        self.clock_skew_ms = i64::try_from(skew.as_millis()).unwrap_or(i64::MAX);
        self.reset_cache()
    }

    /// Reject longer tokens before any decoding (default 16 KiB).
    #[must_use]
    pub fn max_token_len(mut self, len: usize) -> Self {
        self.max_token_len = len;
        self
    }

    /// How long a fetched JWKS is used before it is refreshed (default 1 h).
    #[must_use]
    pub fn jwks_cache_ttl(mut self, ttl: Duration) -> Self {
        self.jwks_ttl = ttl;
        self
    }

    /// Minimum time between two JWKS fetches (default 5 s): a burst of tokens with unknown
    /// `kid`s causes at most one fetch per interval.
    #[must_use]
    pub fn jwks_min_refresh_interval(mut self, interval: Duration) -> Self {
        self.jwks_min_refresh_interval = interval;
        self
    }

    /// Cache up to `capacity` verified tokens, so a repeated token skips the RSA check (see
    /// [`TokenCache`]). Off by default; `0` turns it off.
    #[must_use]
    pub fn token_cache(mut self, capacity: usize) -> Self {
        self.token_cache = (capacity > 0).then(|| Arc::new(TokenCache::new(capacity)));
        self
    }

    /// The verified-token cache, if enabled.
    #[must_use]
    pub fn token_cache_ref(&self) -> Option<&TokenCache> {
        self.token_cache.as_deref()
    }

    /// Entries verified under other options must not be served under these.
    fn reset_cache(mut self) -> Self {
        if let Some(c) = &self.token_cache {
            self.token_cache = Some(Arc::new(TokenCache::new(c.capacity())));
        }
        self
    }

    fn current_keyset(&self) -> u64 {
        match &self.keys {
            KeySource::Pem(_, id) => *id,
            KeySource::Jwks(set) => set.id,
            #[cfg(feature = "client-core")]
            KeySource::Remote(_, cache) => cache.keyset_id(),
            KeySource::None => 0,
        }
    }
}

/// Verify a session token (`__session` cookie or `Authorization: Bearer`).
///
/// Checks, in `@clerk/backend`'s order: decode → `cat` → `typ` → `alg` (RS256/384/512) → key
/// (its `kid`, its pinned algorithm) → signature → `sub` → `aud` → `azp` → (`iss`, if
/// configured) → `exp` → `nbf` → `iat`, the times in whole seconds (truncated). A token whose
/// header `cat` marks an M2M token is rejected; other categories are left to
/// [`authenticate_request`](super::authenticate_request), which signs them out.
///
/// ```
/// # async fn run(token: &str) -> Result<(), clerk_backend::auth::VerifyError> {
/// use clerk_backend::auth::{verify_token, VerifyOptions};
/// # let pem = include_str!("../../tests/fixtures/auth/rsa_a.pub.pem");
/// let options = VerifyOptions::new().jwt_key(pem)?;
/// let claims = verify_token(token, &options).await?;
/// println!("user {} in session {:?}", claims.sub, claims.sid);
/// # Ok(()) }
/// ```
///
/// # Errors
/// A [`VerifyError`] whose [`reason`](VerifyError::reason) says why.
pub async fn verify_token(
    token: &str,
    options: &VerifyOptions,
) -> Result<Arc<SessionClaims>, VerifyError> {
    verify_token_at(token, options, SystemTime::now()).await
}

/// [`verify_token`] with an explicit "now" (for tests and replays).
///
/// # Errors
/// As [`verify_token`].
pub async fn verify_token_at(
    token: &str,
    options: &VerifyOptions,
    now: SystemTime,
) -> Result<Arc<SessionClaims>, VerifyError> {
    let now_ms = unix_ms(now);
    if let Some(hit) = cached(token, options, now_ms) {
        return Ok(hit);
    }
    let decoded = jwt::decode(token, options.max_token_len)?;
    verify_session_decoded(token, decoded, options, now_ms).await
}

pub(crate) fn unix_ms(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_millis()).unwrap_or(i64::MAX),
    }
}

/// A hit in the verified-token cache, with its time claims re-checked. An entry that fails
/// them is evicted and `None` returned, so a full verification reports the exact reason.
pub(crate) fn cached(
    token: &str,
    options: &VerifyOptions,
    now_ms: i64,
) -> Option<Arc<SessionClaims>> {
    let cache = options.token_cache.as_deref()?;
    cache.sync_keyset(options.current_keyset());
    let skew = options.clock_skew_ms;
    cache
        .with_entry(token, |e| {
            check_times(e.exp_ms, e.nbf_ms, e.iat_ms, now_ms, skew)
                .ok()
                .map(|()| e.claims.clone())
        })
        .flatten()
}

/// The kind of JWT being verified (decides the header rules).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum JwtKind {
    Session,
    M2m,
    OAuth,
}

pub(crate) async fn verify_session_decoded(
    token: &str,
    decoded: Decoded<'_>,
    options: &VerifyOptions,
    now_ms: i64,
) -> Result<Arc<SessionClaims>, VerifyError> {
    let (claims, times, keyset) =
        verify_decoded(decoded, options, now_ms, JwtKind::Session).await?;
    let claims = Arc::new(claims);
    // Only under the key set in use now: one replaced while this token was verified must
    // not leave entries behind.
    if let Some(cache) = &options.token_cache
        && keyset == options.current_keyset()
    {
        cache.sync_keyset(keyset);
        cache.insert(token, &claims, times, keyset);
    }
    Ok(claims)
}

/// `exp`, `nbf`, `iat` in milliseconds.
type Times = (i64, Option<i64>, Option<i64>);

/// Whole seconds (truncated) in milliseconds.
fn ms(secs: f64) -> i64 {
    super::claims::secs(secs).saturating_mul(1000)
}

/// Header checks, signature, claims. Returns the claims, their times and the id of the key
/// set that verified the signature.
pub(crate) async fn verify_decoded(
    decoded: Decoded<'_>,
    options: &VerifyOptions,
    now_ms: i64,
    kind: JwtKind,
) -> Result<(SessionClaims, Times, u64), VerifyError> {
    // category, then typ
    match kind {
        JwtKind::Session => {
            if decoded.cat == Cat::M2m {
                return Err(VerifyError::invalid("invalid session token category"));
            }
            check_typ(&decoded.typ, options.header_type.as_deref())?;
        }
        JwtKind::M2m => {
            if !matches!(decoded.cat, Cat::Absent | Cat::M2m) {
                return Err(VerifyError::invalid("invalid M2M JWT category"));
            }
            check_typ(&decoded.typ, None)?;
        }
        JwtKind::OAuth => {
            if !decoded.is_at_jwt() {
                return Err(VerifyError::invalid(
                    "invalid JWT type: expected \"at+jwt, application/at+jwt\"",
                ));
            }
        }
    }
    // alg
    let Some(alg) = decoded.alg else {
        return Err(VerifyError::new(
            Reason::TokenInvalidAlgorithm,
            "invalid JWT algorithm: supported are RS256, RS384, RS512",
        ));
    };
    // signature
    let keyset = verify_signature(&decoded, alg, options).await?;
    // claims
    let (claims, times) = check_claims(decoded.claims, options, now_ms, kind)?;
    Ok((claims, times, keyset))
}

/// `typ` must be one of `allowed` (default `JWT`); absent is fine only when nothing was
/// configured.
fn check_typ(typ: &HeaderStr, allowed: Option<&[String]>) -> Result<(), VerifyError> {
    let ok = match (typ, allowed) {
        (HeaderStr::Absent, None) => true,
        (HeaderStr::Str(t), None) => t == "JWT",
        (HeaderStr::Str(t), Some(list)) => list.iter().any(|a| a == t),
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(VerifyError::new(
            Reason::TokenInvalid,
            format!(
                "invalid JWT type: expected {:?}",
                allowed.map_or_else(|| "JWT".to_owned(), |l| l.join(", "))
            ),
        ))
    }
}

fn kid_mismatch() -> VerifyError {
    VerifyError::new(
        Reason::JwkKidMismatch,
        "no signing key of the JWKS matches the token's kid",
    )
}

async fn verify_signature(
    d: &Decoded<'_>,
    alg: Algorithm,
    options: &VerifyOptions,
) -> Result<u64, VerifyError> {
    let msg = d.signing_input.as_bytes();
    let sig = d.signature();
    let checked = |valid: bool, keyset: u64| {
        if valid {
            Ok(keyset)
        } else {
            Err(VerifyError::new(
                Reason::TokenInvalidSignature,
                "JWT signature is invalid",
            ))
        }
    };
    match &options.keys {
        KeySource::Pem(key, id) => checked(key.verify(alg, msg, sig)?, *id),
        KeySource::Jwks(set) => match set.find(d.kid.as_deref()) {
            Some(key) => checked(key.verify(alg, msg, sig)?, set.id),
            None => Err(kid_mismatch()),
        },
        #[cfg(feature = "client-core")]
        KeySource::Remote(clerk, cache) => {
            let mut refreshed = false;
            loop {
                match cache.verify_with(d.kid.as_deref(), options.jwks_ttl, alg, msg, sig) {
                    Lookup::Found {
                        value,
                        keyset,
                        fresh,
                    } => {
                        if !fresh {
                            // Past the TTL: refresh in the background, keep serving.
                            cache.spawn_refresh(clerk, options.jwks_min_refresh_interval);
                        }
                        return checked(value?, keyset);
                    }
                    Lookup::Missing if refreshed => return Err(kid_mismatch()),
                    Lookup::Empty if refreshed => {
                        return Err(VerifyError::new(
                            Reason::RemoteJwkFailedToLoad,
                            "the instance's JWKS could not be loaded",
                        ));
                    }
                    Lookup::Missing | Lookup::Empty => {
                        refreshed = true;
                        cache
                            .refresh(clerk, options.jwks_min_refresh_interval)
                            .await?;
                    }
                }
            }
        }
        KeySource::None => Err(VerifyError::new(
            Reason::JwkFailedToResolve,
            "no key source: set jwt_key, jwks or a Clerk client on VerifyOptions",
        )),
    }
}

fn check_claims(
    claims: RawClaims,
    options: &VerifyOptions,
    now_ms: i64,
    kind: JwtKind,
) -> Result<(SessionClaims, Times), VerifyError> {
    let failed = |m: &'static str| VerifyError::new(Reason::TokenVerificationFailed, m);
    let mut claims = claims;
    let sub = match std::mem::take(&mut claims.sub) {
        Claim::Present(s) => s,
        _ => {
            return Err(failed(
                "subject claim (sub) is required and must be a string",
            ));
        }
    };
    // aud
    if !options.audience.is_empty() {
        match &claims.aud {
            Claim::Present(aud) if !aud.is_empty() => {
                let accepted = aud.iter().any(|a| options.audience.contains(a));
                if !accepted {
                    return Err(failed(
                        "invalid JWT audience claim (aud): not an accepted audience",
                    ));
                }
            }
            Claim::WrongType => {
                return Err(failed(
                    "invalid JWT audience claim (aud): expected a string or an array of strings",
                ));
            }
            _ if kind == JwtKind::OAuth => {
                return Err(failed(
                    "invalid OAuth audience claim (aud): expected a non-empty audience",
                ));
            }
            _ => {}
        }
    }
    // azp
    if !options.authorized_parties.is_empty() {
        let ok = claims.azp.as_deref().is_some_and(|azp| {
            !azp.is_empty() && options.authorized_parties.iter().any(|p| p == azp)
        });
        if !ok {
            return Err(VerifyError::new(
                Reason::TokenInvalidAuthorizedParties,
                match claims.azp.as_deref() {
                    None | Some("") => {
                        "invalid JWT authorized party claim (azp): missing".to_owned()
                    }
                    Some(azp) => format!(
                        "invalid JWT authorized party claim (azp) {azp:?}: expected one of {:?}",
                        options.authorized_parties
                    ),
                },
            ));
        }
    }
    // iss
    if let Some(expected) = &options.issuer
        && claims.iss.present() != Some(expected)
    {
        return Err(VerifyError::new(
            Reason::TokenInvalidIssuer,
            format!("invalid JWT issuer claim (iss): expected {expected:?}"),
        ));
    }
    // exp, nbf, iat: a present claim that is not a number (`null` included) fails
    let exp = match claims.exp {
        Claim::Present(e) => e,
        _ => {
            return Err(failed(
                "invalid JWT expiry date claim (exp): expected a number",
            ));
        }
    };
    let nbf = match claims.nbf {
        Claim::Present(n) => Some(ms(n)),
        Claim::Absent => None,
        Claim::WrongType => {
            return Err(failed(
                "invalid JWT not before date claim (nbf): expected a number",
            ));
        }
    };
    let iat = match claims.iat {
        Claim::Present(n) => Some(ms(n)),
        Claim::Absent => None,
        Claim::WrongType => {
            return Err(failed(
                "invalid JWT issued at date claim (iat): expected a number",
            ));
        }
    };
    let exp_ms = ms(exp);
    check_times(exp_ms, nbf, iat, now_ms, options.clock_skew_ms)?;
    let claims = claims
        .into_session_claims(sub, exp)
        .map_err(|m| VerifyError::new(Reason::TokenVerificationFailed, m))?;
    Ok((claims, (exp_ms, nbf, iat)))
}

/// `@clerk/backend`'s rules, in milliseconds: expired when `exp <= now - skew`; not active when
/// `nbf > now + skew`; issued in the future when `iat > now + skew`.
pub(crate) fn check_times(
    exp_ms: i64,
    nbf_ms: Option<i64>,
    iat_ms: Option<i64>,
    now_ms: i64,
    skew_ms: i64,
) -> Result<(), VerifyError> {
    if exp_ms <= now_ms.saturating_sub(skew_ms) {
        return Err(VerifyError::new(
            Reason::TokenExpired,
            format!(
                "JWT is expired: expiry {} s, now {} s",
                exp_ms.div_euclid(1000),
                now_ms.div_euclid(1000)
            ),
        ));
    }
    if let Some(nbf) = nbf_ms
        && nbf > now_ms.saturating_add(skew_ms)
    {
        return Err(VerifyError::new(
            Reason::TokenNotActiveYet,
            format!(
                "JWT cannot be used before its not-before date: nbf {} s, now {} s",
                nbf.div_euclid(1000),
                now_ms.div_euclid(1000)
            ),
        ));
    }
    if let Some(iat) = iat_ms
        && iat > now_ms.saturating_add(skew_ms)
    {
        return Err(VerifyError::new(
            Reason::TokenIatInTheFuture,
            format!(
                "JWT issued-at date is in the future: iat {} s, now {} s",
                iat.div_euclid(1000),
                now_ms.div_euclid(1000)
            ),
        ));
    }
    Ok(())
}
