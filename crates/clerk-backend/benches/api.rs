//! SDK vs hand-written serde + reqwest: decoding a `GET /users` page, and a full round trip.
#![recursion_limit = "256"]
//!
//! Run: `cargo bench -p clerk-backend --bench api -- --warm-up-time 1 --measurement-time 3`
//! (figures and how to read them: BENCHMARKS.md, section "API client: decode, round-trip,
//! build cost (issue 2)").
//!
//! The fixture is generated here, deterministically, in the shape of the spec's `User` schema
//! (every property present, nullable ones sometimes `null`): 1–2 email addresses with
//! `verification_otp` / `verification_from_oauth` / `verification_admin` verifications and
//! identification links, 0–1 phone numbers, 0–1 OAuth external accounts with a
//! `verification_oauth`, and public/private/unsafe metadata maps with nested values. About 2 KB
//! of JSON per user.
//!
//! The raw baseline (`raw::User`) is what someone would write by hand with plain
//! `#[derive(Deserialize)]`: the same fields with the same Rust types as `models::User`, except
//! (1) enums are plain `String`s, (2) a verification is one flat struct holding the union of the
//! fields of its variants (no tag dispatch at all — the cheapest possible shape), and (3) the
//! lists that are empty in this fixture (web3 wallets, passkeys, SAML / enterprise accounts,
//! organization memberships) and `scim` are `serde_json::Value`s, which costs the same as the
//! typed form for an empty list or an absent field.

use std::hint::black_box;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clerk_backend::Clerk;
use clerk_backend::models::User;
use clerk_backend::pipeline::decode_json;
use clerk_backend::transport::RawResponse;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Hand-written models: the baseline. `S` is the string type, `M` the type of a metadata map and
/// `J` of any other free JSON: owned by default (`String`, `Map`, `Value`: what someone writes
/// by hand), or borrowed from the body ([`Borrowed`]: `&str` and `&RawValue`, checked for syntax
/// only), so that only the lists allocate: the floor of a client that decodes every field.
mod raw {
    use serde::Deserialize;
    use serde_json::value::RawValue;
    use serde_json::{Map, Value};

    /// Every string and free JSON value borrowed from the body.
    pub type Borrowed<'a> = User<&'a str, &'a RawValue, &'a RawValue>;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    pub struct User<S = String, M = Map<String, Value>, J = Value> {
        pub id: Option<S>,
        pub object: Option<S>,
        pub external_id: Option<S>,
        pub primary_email_address_id: Option<S>,
        pub primary_phone_number_id: Option<S>,
        pub primary_web3_wallet_id: Option<S>,
        pub username: Option<S>,
        pub first_name: Option<S>,
        pub last_name: Option<S>,
        pub locale: Option<S>,
        pub profile_image_url: Option<S>,
        pub image_url: Option<S>,
        pub has_image: Option<bool>,
        pub public_metadata: Option<M>,
        pub private_metadata: Option<M>,
        pub unsafe_metadata: Option<M>,
        pub email_addresses: Option<Vec<EmailAddress<S, J>>>,
        pub phone_numbers: Option<Vec<PhoneNumber<S, J>>>,
        pub web3_wallets: Option<J>,
        pub passkeys: Option<J>,
        pub password_enabled: Option<bool>,
        pub two_factor_enabled: Option<bool>,
        pub totp_enabled: Option<bool>,
        pub backup_code_enabled: Option<bool>,
        pub mfa_enabled_at: Option<i64>,
        pub mfa_disabled_at: Option<i64>,
        pub password_last_updated_at: Option<i64>,
        pub external_accounts: Option<Vec<ExternalAccount<S, M, J>>>,
        pub saml_accounts: Option<J>,
        pub enterprise_accounts: Option<J>,
        pub organization_memberships: Option<J>,
        pub last_sign_in_at: Option<i64>,
        pub banned: Option<bool>,
        pub locked: Option<bool>,
        pub deprovisioned: Option<bool>,
        pub lockout_expires_in_seconds: Option<i64>,
        pub verification_attempts_remaining: Option<i64>,
        pub updated_at: Option<i64>,
        pub created_at: Option<i64>,
        pub delete_self_enabled: Option<bool>,
        pub create_organization_enabled: Option<bool>,
        pub create_organizations_limit: Option<i64>,
        pub last_active_at: Option<i64>,
        pub legal_accepted_at: Option<i64>,
        pub bypass_client_trust: Option<bool>,
        pub scim: Option<J>,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    pub struct EmailAddress<S = String, J = Value> {
        pub id: Option<S>,
        pub object: S,
        pub email_address: S,
        pub reserved: bool,
        pub verification: Option<Verification<S, J>>,
        pub linked_to: Vec<IdentificationLink<S>>,
        pub matches_sso_connection: Option<bool>,
        pub created_at: i64,
        pub updated_at: i64,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    pub struct PhoneNumber<S = String, J = Value> {
        pub id: Option<S>,
        pub object: S,
        pub phone_number: S,
        pub reserved_for_second_factor: Option<bool>,
        pub default_second_factor: Option<bool>,
        pub reserved: bool,
        pub verification: Option<Verification<S, J>>,
        pub linked_to: Vec<IdentificationLink<S>>,
        pub backup_codes: Option<Vec<S>>,
        pub created_at: i64,
        pub updated_at: i64,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    pub struct ExternalAccount<S = String, M = Map<String, Value>, J = Value> {
        pub object: S,
        pub id: S,
        pub provider: S,
        pub identification_id: S,
        pub provider_user_id: S,
        pub approved_scopes: S,
        pub email_address: S,
        pub email_address_verified: Option<bool>,
        pub first_name: S,
        pub last_name: S,
        pub avatar_url: Option<S>,
        pub image_url: Option<S>,
        pub username: Option<S>,
        pub phone_number: Option<S>,
        pub public_metadata: M,
        pub label: Option<S>,
        pub created_at: i64,
        pub updated_at: i64,
        pub verification: Option<Verification<S, J>>,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    pub struct IdentificationLink<S = String> {
        #[serde(rename = "type")]
        pub type_: S,
        pub id: S,
    }

    /// Every verification variant's fields in one flat struct (no dispatch on `object`).
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    pub struct Verification<S = String, J = Value> {
        pub object: Option<S>,
        pub status: S,
        pub strategy: S,
        pub attempts: Option<i64>,
        pub expire_at: Option<i64>,
        pub channel: Option<S>,
        pub verified_at_client: Option<S>,
        pub external_verification_redirect_url: Option<S>,
        pub error: Option<J>,
    }
}

/// What a plain reqwest + serde client declares when it reads only a user's id, names,
/// email addresses and creation time: every other field of the body is skipped by serde.
mod minimal {
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    pub struct User {
        pub id: String,
        pub first_name: Option<String>,
        pub last_name: Option<String>,
        pub email_addresses: Vec<EmailAddress>,
        pub created_at: i64,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    pub struct EmailAddress {
        pub email_address: String,
    }
}

/// A small deterministic generator (xorshift), so every run decodes the same bytes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn id(&mut self, prefix: &str) -> String {
        const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        let mut s = String::with_capacity(prefix.len() + 28);
        s.push_str(prefix);
        for _ in 0..27 {
            s.push(char::from(ALPHABET[self.below(62) as usize]));
        }
        s
    }
}

const FIRST: &[&str] = &[
    "Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Margaret", "Ken", "Frances", "Niklaus",
    "Radia", "John", "Sophie", "Dennis", "Hedy", "Tim",
];
const LAST: &[&str] = &[
    "Lovelace",
    "Hopper",
    "Turing",
    "Dijkstra",
    "Liskov",
    "Knuth",
    "Hamilton",
    "Thompson",
    "Allen",
    "Wirth",
    "Perlman",
    "McCarthy",
    "Wilson",
    "Ritchie",
    "Lamarr",
    "Berners-Lee",
];

fn verification_otp(rng: &mut Rng, strategy: &str, t: i64) -> Value {
    json!({
        "object": "verification_otp",
        "status": if rng.chance(90) { "verified" } else { "unverified" },
        "strategy": strategy,
        "attempts": rng.below(3) + 1,
        "expire_at": t + 600_000,
        "channel": null,
        "verified_at_client": null,
    })
}

fn user(rng: &mut Rng, i: usize) -> Value {
    let first = FIRST[rng.below(FIRST.len() as u64) as usize];
    let last = LAST[rng.below(LAST.len() as u64) as usize];
    let created = 1_700_000_000_000_i64 + i64::try_from(rng.below(60_000_000_000)).unwrap();
    let updated = created + i64::try_from(rng.below(1_000_000_000)).unwrap();
    let has_google = rng.chance(40);
    let google_idn = rng.id("idn_");

    let n_emails = 1 + usize::from(rng.chance(35));
    let mut emails = Vec::new();
    for k in 0..n_emails {
        let email = format!(
            "{}.{}{}@{}",
            first.to_lowercase(),
            last.to_lowercase(),
            i * 2 + k,
            if k == 0 { "example.com" } else { "gmail.com" }
        );
        let (verification, linked) = if k == 1 && has_google {
            (
                json!({
                    "object": "verification_from_oauth",
                    "status": "verified",
                    "strategy": "from_oauth_google",
                    "attempts": null,
                    "expire_at": null,
                    "verified_at_client": null,
                }),
                json!([{ "type": "oauth_google", "id": google_idn }]),
            )
        } else if rng.chance(15) {
            (
                json!({
                    "object": "verification_admin",
                    "status": "verified",
                    "strategy": "admin",
                    "attempts": null,
                    "expire_at": null,
                    "verified_at_client": null,
                }),
                json!([]),
            )
        } else {
            (verification_otp(rng, "email_code", updated), json!([]))
        };
        emails.push(json!({
            "id": rng.id("idn_"),
            "object": "email_address",
            "email_address": email,
            "reserved": false,
            "verification": verification,
            "linked_to": linked,
            "matches_sso_connection": false,
            "created_at": created,
            "updated_at": updated,
        }));
    }
    let primary_email = emails[0]["id"].clone();

    let mut phones = Vec::new();
    if rng.chance(50) {
        phones.push(json!({
            "id": rng.id("idn_"),
            "object": "phone_number",
            "phone_number": format!("+1555{:07}", rng.below(10_000_000)),
            "reserved_for_second_factor": false,
            "default_second_factor": false,
            "reserved": false,
            "verification": verification_otp(rng, "phone_code", updated),
            "linked_to": [],
            "backup_codes": null,
            "created_at": created,
            "updated_at": updated,
        }));
    }
    let primary_phone = phones.first().map_or(Value::Null, |p| p["id"].clone());

    let mut external = Vec::new();
    if has_google {
        external.push(json!({
            "object": "external_account",
            "id": rng.id("eac_"),
            "provider": "oauth_google",
            "identification_id": google_idn,
            "provider_user_id": format!("{}", 100_000_000_000_000_000_u64 + rng.below(1 << 40)),
            "approved_scopes": "email https://www.googleapis.com/auth/userinfo.email https://www.googleapis.com/auth/userinfo.profile openid profile",
            "email_address": format!("{}.{}{}@gmail.com", first.to_lowercase(), last.to_lowercase(), i * 2 + 1),
            "email_address_verified": true,
            "first_name": first,
            "last_name": last,
            "avatar_url": format!("https://lh3.googleusercontent.com/a/{}=s96-c", rng.id("ACg8oc")),
            "image_url": format!("https://img.clerk.com/{}", rng.id("eyJ0eXBlIjoicHJveHkiLCJzcmMiOiJodHRwczovL2xoMy5nb29nbGV1c2VyY29udGVudC5jb20vYS9")),
            "username": null,
            "phone_number": null,
            "public_metadata": {},
            "label": null,
            "created_at": created,
            "updated_at": updated,
            "verification": {
                "object": "verification_oauth",
                "status": "verified",
                "strategy": "oauth_google",
                "external_verification_redirect_url": null,
                "error": null,
                "expire_at": created + 600_000,
                "attempts": null,
                "verified_at_client": null,
            },
        }));
    }

    let plans = ["free", "pro", "team", "enterprise"];
    json!({
        "id": rng.id("user_"),
        "object": "user",
        "external_id": if rng.chance(30) { json!(format!("ext-{i:06}")) } else { Value::Null },
        "primary_email_address_id": primary_email,
        "primary_phone_number_id": primary_phone,
        "primary_web3_wallet_id": null,
        "username": if rng.chance(50) { json!(format!("{}_{}{i}", first.to_lowercase(), last.to_lowercase())) } else { Value::Null },
        "first_name": first,
        "last_name": last,
        "locale": if rng.chance(50) { json!("en-US") } else { Value::Null },
        "profile_image_url": "https://www.gravatar.com/avatar?d=mp",
        "image_url": format!("https://img.clerk.com/{}", rng.id("eyJ0eXBlIjoiZGVmYXVsdCIsImlpZCI6Imluc18")),
        "has_image": has_google,
        "public_metadata": {
            "plan": plans[rng.below(4) as usize],
            "seats": rng.below(50),
            "features": ["sso", "audit-log"],
            "onboarding": { "completed": rng.chance(80), "step": rng.below(5) },
        },
        "private_metadata": {
            "stripe_customer_id": rng.id("cus_"),
            "internal_notes": null,
            "flags": { "beta": rng.chance(10), "score": 0.5 },
        },
        "unsafe_metadata": if rng.chance(20) { json!({ "theme": "dark" }) } else { json!({}) },
        "email_addresses": emails,
        "phone_numbers": phones,
        "web3_wallets": [],
        "passkeys": [],
        "password_enabled": !has_google,
        "two_factor_enabled": false,
        "totp_enabled": false,
        "backup_code_enabled": false,
        "mfa_enabled_at": null,
        "mfa_disabled_at": null,
        "password_last_updated_at": if has_google { Value::Null } else { json!(created) },
        "external_accounts": external,
        "saml_accounts": [],
        "enterprise_accounts": [],
        "last_sign_in_at": updated,
        "banned": false,
        "locked": false,
        "deprovisioned": false,
        "lockout_expires_in_seconds": null,
        "verification_attempts_remaining": 100,
        "updated_at": updated,
        "created_at": created,
        "delete_self_enabled": true,
        "create_organization_enabled": true,
        "create_organizations_limit": null,
        "last_active_at": updated,
        "legal_accepted_at": null,
        "bypass_client_trust": false,
    })
}

/// `n` users as JSON values (`serde_json::Map` keeps keys sorted, nulls present).
fn users(n: usize) -> Vec<Value> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    (0..n).map(|i| user(&mut rng, i)).collect()
}

/// The body of `GET /users?limit=n` with keys in the spec's order, as the API sends them
/// (`object` first in every verification), by round-tripping through the SDK's models; absent
/// optional fields are omitted rather than `null`.
fn users_page(n: usize) -> Vec<u8> {
    let typed: Vec<User> = serde_json::from_value(Value::Array(users(n))).expect("fixture fits");
    serde_json::to_vec(&typed).expect("fixture serializes")
}

/// The same users with every object's keys sorted alphabetically and nulls kept: the
/// discriminator `object` is no longer the first key of a verification.
fn users_page_sorted(n: usize) -> Vec<u8> {
    serde_json::to_vec(&users(n)).expect("fixture serializes")
}

fn decode(c: &mut Criterion) {
    for (name, body) in [
        ("decode_500_users", users_page(500)),
        ("decode_500_users_sorted_keys", users_page_sorted(500)),
    ] {
        let body = bytes::Bytes::from(body);
        // Both sides must accept the fixture, and the SDK must decode every verification into
        // a typed variant (an `Unknown` would mean the fixture is not what the bench claims).
        let sdk: Vec<User> = serde_json::from_slice(&body).expect("SDK models decode");
        let unknown = format!("{sdk:?}").matches("Unknown(").count();
        assert_eq!(unknown, 0, "fixture has values the SDK does not type");
        let raw: Vec<raw::User> = serde_json::from_slice(&body).expect("raw models decode");
        assert_eq!((sdk.len(), raw.len()), (500, 500));

        let mut g = c.benchmark_group(name);
        g.throughput(Throughput::Bytes(body.len() as u64));
        g.bench_function("raw_serde", |b| b.iter(|| decode_raw(black_box(&body))));
        g.bench_function("sdk_models", |b| b.iter(|| decode_sdk(black_box(&body))));
        g.bench_function("sdk_decode_json", |b| {
            b.iter(|| decode_sdk_json(black_box(body.clone())));
        });
        g.finish();
    }
}

// The measured bodies, not inlined so that callgrind can count each one alone
// (`API_BENCH_CALLGRIND=1`, see `main`). Each drops what it decoded: freeing is part of the cost.

#[inline(never)]
fn decode_raw(body: &[u8]) -> usize {
    serde_json::from_slice::<Vec<raw::User>>(body)
        .unwrap()
        .len()
}

#[inline(never)]
fn decode_sdk(body: &[u8]) -> usize {
    serde_json::from_slice::<Vec<User>>(body).unwrap().len()
}

#[inline(never)]
fn decode_sdk_json(body: bytes::Bytes) -> usize {
    let response = RawResponse::new(http::StatusCode::OK, http::HeaderMap::new(), body);
    decode_json::<Vec<User>>(response).unwrap().len()
}

/// One call of each decode function on one fixture (`spec` or `sorted`), for
/// `API_BENCH_CALLGRIND=spec valgrind --tool=callgrind --collect-atstart=no
/// --toggle-collect='api::decode_*' target/release/deps/api-…`.
fn callgrind_once(fixture: &str) {
    let body = if fixture == "sorted" {
        users_page_sorted(500)
    } else {
        users_page(500)
    };
    let bytes = bytes::Bytes::from(body);
    let n = decode_raw(&bytes) + decode_sdk(&bytes) + decode_sdk_json(bytes.clone());
    assert_eq!(n, 1500);
}

/// A minimal HTTP/1.1 keep-alive server on 127.0.0.1 that answers every request with the
/// fixture page of the requested `limit` (so the server's own cost is a buffer write).
async fn serve(pages: Arc<Vec<(usize, Vec<u8>)>>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(connection(stream, pages.clone()));
        }
    });
    addr
}

async fn connection(mut stream: TcpStream, pages: Arc<Vec<(usize, Vec<u8>)>>) {
    stream.set_nodelay(true).ok();
    let mut buf = Vec::with_capacity(4096);
    let mut chunk = [0_u8; 4096];
    loop {
        // Read one request head (GET: no body).
        let end = loop {
            if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break p + 4;
            }
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buf[..end]).into_owned();
        buf.drain(..end);
        let limit: usize = head
            .split_once("limit=")
            .and_then(|(_, rest)| {
                rest.split(|c: char| !c.is_ascii_digit())
                    .next()?
                    .parse()
                    .ok()
            })
            .unwrap_or(10);
        let body = &pages
            .iter()
            .find(|(n, _)| *n == limit)
            .expect("fixture for this limit")
            .1;
        let header = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
            body.len()
        );
        if stream.write_all(header.as_bytes()).await.is_err()
            || stream.write_all(body).await.is_err()
        {
            return;
        }
    }
}

const SECRET: &str = "sk_test_benchmarkbenchmarkbenchmark";

/// The loopback server, one runtime, and the two clients sharing one `reqwest::Client`.
struct Loopback {
    rt: tokio::runtime::Runtime,
    base: String,
    http: reqwest::Client,
    clerk: Clerk,
}

const SIZES: [usize; 2] = [10, 500];

fn loopback() -> Loopback {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let pages = Arc::new(SIZES.iter().map(|&n| (n, users_page(n))).collect());
    let addr = rt.block_on(serve(pages));
    let base = format!("http://{addr}/v1");
    // One client config for both sides: HTTP/1.1, keep-alive pool (reqwest's default).
    let http = reqwest::Client::builder()
        .http1_only()
        .pool_idle_timeout(Duration::from_secs(90))
        .build()
        .expect("reqwest client");
    let clerk = Clerk::builder()
        .bearer_auth(SECRET)
        .server_url(&base)
        .http_client(http.clone())
        .build()
        .expect("clerk client");
    let lb = Loopback {
        rt,
        base,
        http,
        clerk,
    };
    // Warm the connection and check both sides agree.
    for n in SIZES {
        let got = lb.rt.block_on(async {
            [
                sdk_call(&lb, n).await,
                raw_call(&lb, n).await,
                minimal_call(&lb, n).await,
                sdk_projected_call(&lb, n).await,
                borrowed_call(&lb, n).await,
            ]
        });
        assert_eq!(got, [n; 5]);
    }
    lb
}

/// `GET /users?limit=n` the way one would without the SDK.
async fn raw_call(lb: &Loopback, n: usize) -> usize {
    lb.http
        .get(format!("{}/users?limit={n}", lb.base))
        .bearer_auth(SECRET)
        .send()
        .await
        .unwrap()
        .json::<Vec<raw::User>>()
        .await
        .unwrap()
        .len()
}

/// `GET /users?limit=n` by hand, with what the API needs to answer the same way: the key and
/// `Clerk-API-Version`.
async fn hand_get(lb: &Loopback, n: usize) -> reqwest::Response {
    lb.http
        .get(format!("{}/users?limit={n}", lb.base))
        .bearer_auth(SECRET)
        .header(
            "clerk-api-version",
            clerk_backend::client::DEFAULT_API_VERSION,
        )
        .send()
        .await
        .unwrap()
}

/// [`hand_get`], declaring only the fields it reads ([`minimal`]).
async fn minimal_call(lb: &Loopback, n: usize) -> usize {
    hand_get(lb, n)
        .await
        .json::<Vec<minimal::User>>()
        .await
        .unwrap()
        .len()
}

/// [`hand_get`], decoding every field into [`raw::Borrowed`] views of the body:
/// the floor of a full-field client.
async fn borrowed_call(lb: &Loopback, n: usize) -> usize {
    let body = hand_get(lb, n).await.bytes().await.unwrap();
    // One UTF-8 check of the whole body, then `&str` input, as the SDK decodes.
    let text = std::str::from_utf8(&body).unwrap();
    serde_json::from_str::<Vec<raw::Borrowed<'_>>>(text)
        .unwrap()
        .len()
}

/// The same through the SDK.
async fn sdk_call(lb: &Loopback, n: usize) -> usize {
    let limit = i64::try_from(n).unwrap();
    lb.clerk
        .users()
        .list()
        .limit(limit)
        .send()
        .await
        .unwrap()
        .len()
}

/// The same call through the SDK, decoded into [`minimal::User`] with [`Clerk::call_as`]: the
/// pipeline of `sdk_call`, the decode of `minimal_call`.
async fn sdk_projected_call(lb: &Loopback, n: usize) -> usize {
    let limit = i64::try_from(n).unwrap();
    lb.clerk
        .call_as::<_, Vec<minimal::User>>(lb.clerk.users().list().limit(limit))
        .await
        .unwrap()
        .len()
}

fn round_trip(c: &mut Criterion) {
    let lb = loopback();
    let mut g = c.benchmark_group("round_trip_list_users");
    for n in SIZES {
        g.bench_with_input(BenchmarkId::new("raw_reqwest", n), &n, |b, &n| {
            b.to_async(&lb.rt).iter(|| raw_call(&lb, n));
        });
        g.bench_with_input(BenchmarkId::new("sdk", n), &n, |b, &n| {
            b.to_async(&lb.rt).iter(|| sdk_call(&lb, n));
        });
    }
    g.finish();
}

/// Interleaved A/B: every round times one call of each contender, in alternating order, and
/// the medians are compared. Drift in machine load (other builds on a shared 2-core box) hits
/// all contenders alike, which criterion's one-after-the-other groups cannot promise.
fn interleaved() {
    fn median(mut v: Vec<Duration>) -> Duration {
        v.sort_unstable();
        v[v.len() / 2]
    }
    fn report(title: &str, names: &[&str], times: Vec<Vec<Duration>>) {
        println!(
            "\n{title} (interleaved, {} rounds, medians)",
            times[0].len()
        );
        let medians: Vec<Duration> = times.into_iter().map(median).collect();
        for (name, m) in names.iter().zip(&medians) {
            let ratio = m.as_secs_f64() / medians[0].as_secs_f64();
            println!("  {name:<18} {m:>12.2?}   {ratio:.3}x {}", names[0]);
        }
    }

    for (title, body, rounds) in [
        ("decode_500_users", users_page(500), 150),
        ("decode_500_users_sorted_keys", users_page_sorted(500), 150),
    ] {
        let body = bytes::Bytes::from(body);
        let mut times = vec![Vec::new(), Vec::new(), Vec::new()];
        for round in 0..rounds {
            for k in 0..3 {
                let k = if round % 2 == 0 { k } else { 2 - k };
                let start = Instant::now();
                let n = match k {
                    0 => decode_raw(black_box(&body)),
                    1 => decode_sdk(black_box(&body)),
                    _ => decode_sdk_json(black_box(body.clone())),
                };
                times[k].push(start.elapsed());
                assert_eq!(n, 500);
            }
        }
        report(
            title,
            &["raw_serde", "sdk_models", "sdk_decode_json"],
            times,
        );
    }

    let lb = loopback();
    for (n, rounds) in [(10, 2000), (500, 150)] {
        let mut times = vec![Vec::new(), Vec::new()];
        for round in 0..rounds {
            for k in 0..2 {
                let k = if round % 2 == 0 { k } else { 1 - k };
                let start = Instant::now();
                let got = lb.rt.block_on(async {
                    if k == 0 {
                        raw_call(&lb, n).await
                    } else {
                        sdk_call(&lb, n).await
                    }
                });
                times[k].push(start.elapsed());
                assert_eq!(got, n);
            }
        }
        report(
            &format!("round_trip_list_users/{n}"),
            &["raw_reqwest", "sdk"],
            times,
        );
    }
}

/// Per-call overhead: the SDK's `users().list().limit(n).send()` against [`minimal_call`] and
/// against [`raw_call`] (hand-written structs with every field the SDK has), and the SDK's
/// `call_as` into the minimal client's structs and [`borrowed_call`] (every field, nothing owned:
/// the floor) against [`minimal_call`], in batches alternated
/// (each round runs one batch of each, the order rotated every round), on one keep-alive
/// connection pool. Reports the median per-call time of each side and the medians of the
/// per-round ratios.
fn per_call_overhead() {
    let lb = loopback();
    let rounds: usize = std::env::var("API_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(101);
    const SIDES: [&str; 5] = [
        "minimal",
        "full hand-written",
        "sdk",
        "sdk call_as minimal",
        "full borrowed",
    ];
    // (numerator, denominator) of each reported ratio.
    const RATIOS: [(usize, usize); 6] = [(2, 0), (1, 0), (2, 1), (3, 0), (4, 0), (2, 4)];
    for (n, batch) in [(10, 40), (500, 3)] {
        let time = |k: usize| {
            let start = Instant::now();
            lb.rt.block_on(async {
                for _ in 0..batch {
                    let got = match k {
                        0 => minimal_call(&lb, n).await,
                        1 => raw_call(&lb, n).await,
                        2 => sdk_call(&lb, n).await,
                        3 => sdk_projected_call(&lb, n).await,
                        _ => borrowed_call(&lb, n).await,
                    };
                    assert_eq!(got, n);
                }
            });
            start.elapsed().as_secs_f64() / batch as f64
        };
        // Warm every side (connections, allocator).
        for k in 0..SIDES.len() {
            time(k);
        }
        let mut times: Vec<Vec<f64>> = vec![Vec::new(); SIDES.len()];
        let mut ratios: Vec<Vec<f64>> = vec![Vec::new(); RATIOS.len()];
        for round in 0..rounds {
            let mut t = [0.0; SIDES.len()];
            for i in 0..SIDES.len() {
                let k = (i + round) % SIDES.len();
                t[k] = time(k);
            }
            for (k, v) in t.iter().enumerate() {
                times[k].push(*v);
            }
            for (r, (a, b)) in ratios.iter_mut().zip(RATIOS) {
                r.push(t[a] / t[b]);
            }
        }
        let median = |v: &mut Vec<f64>| {
            v.sort_by(f64::total_cmp);
            v[v.len() / 2]
        };
        let m: Vec<f64> = times.iter_mut().map(median).collect();
        let r: Vec<f64> = ratios.iter_mut().map(median).collect();
        println!(
            "per_call_overhead/list_users_limit_{n} ({rounds} rounds x {batch} calls, rotated):"
        );
        for (name, t) in SIDES.iter().zip(&m) {
            println!("  {name:<20} {:>10.2} us", t * 1e6);
        }
        for ((a, b), r) in RATIOS.iter().zip(&r) {
            println!(
                "  {} / {}: {:.3}x (median ratio {r:.3}x)",
                SIDES[*a],
                SIDES[*b],
                m[*a] / m[*b]
            );
        }
    }
}

/// 20 round trips of each contender per size (`API_BENCH_CALLGRIND_N=10` or `500`: one size)
/// at `API_BENCH_CALLGRIND=calls`, one at a time on
/// the calling thread, for `--toggle-collect='api::measured_*'` (the server and hyper's
/// connection tasks run on the runtime's workers and are not counted).
fn callgrind_calls() {
    let lb = loopback();
    let only: Option<usize> = std::env::var("API_BENCH_CALLGRIND_N")
        .ok()
        .and_then(|v| v.parse().ok());
    for n in SIZES.into_iter().filter(|n| only.is_none_or(|o| o == *n)) {
        for _ in 0..20 {
            assert_eq!(measured_minimal(&lb, n), n);
            assert_eq!(measured_raw(&lb, n), n);
            assert_eq!(measured_sdk(&lb, n), n);
            assert_eq!(measured_sdk_projected(&lb, n), n);
            assert_eq!(measured_borrowed(&lb, n), n);
        }
    }
}

// The calls `callgrind_calls` measures, apart from the warm-up calls made by `loopback`
// (plain functions, not inlined, so that callgrind can name them).
#[inline(never)]
fn measured_minimal(lb: &Loopback, n: usize) -> usize {
    lb.rt.block_on(minimal_call(lb, n))
}
#[inline(never)]
fn measured_raw(lb: &Loopback, n: usize) -> usize {
    lb.rt.block_on(raw_call(lb, n))
}
#[inline(never)]
fn measured_sdk(lb: &Loopback, n: usize) -> usize {
    lb.rt.block_on(sdk_call(lb, n))
}
#[inline(never)]
fn measured_borrowed(lb: &Loopback, n: usize) -> usize {
    lb.rt.block_on(borrowed_call(lb, n))
}
#[inline(never)]
fn measured_sdk_projected(lb: &Loopback, n: usize) -> usize {
    lb.rt.block_on(sdk_projected_call(lb, n))
}

criterion_group!(benches, decode, round_trip);

fn main() {
    // reqwest is built with `rustls-no-provider`: a client built outside the SDK needs one.
    let _ = rustls::crypto::ring::default_provider().install_default();
    if let Ok(fixture) = std::env::var("API_BENCH_CALLGRIND") {
        if fixture == "calls" {
            callgrind_calls();
        } else {
            callgrind_once(&fixture);
        }
        return;
    }
    if std::env::var_os("API_BENCH_OVERHEAD_ONLY").is_some() {
        per_call_overhead();
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
    // Only under `cargo bench` (criterion's `cargo test` smoke mode passes no `--bench`).
    if std::env::args().any(|a| a == "--bench") {
        interleaved();
        per_call_overhead();
    }
}
