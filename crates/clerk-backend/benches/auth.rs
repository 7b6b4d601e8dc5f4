//! Token verification cost against a raw RS256 signature check with the same backend (`ring`).
//!
//! `cargo bench -p clerk-backend --bench auth` — criterion figures for one thread, then a
//! throughput table (ops/s on 1 and 2 threads). See BENCHMARKS.md.

use std::hint::black_box;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use clerk_backend::auth::{AuthenticateOptions, VerifyOptions, authenticate_headers, verify_token};
use criterion::{Criterion, criterion_group};
use ring::signature::{RSA_PKCS1_2048_8192_SHA256, RsaPublicKeyComponents};

#[path = "../tests/it/auth_common.rs"]
#[allow(unused_imports)]
mod common;
use common::{JwksServer, TestKey, block_on, now_s, session_claims};

struct Fixture {
    token: String,
    signing_input: Vec<u8>,
    signature: Vec<u8>,
    key: RsaPublicKeyComponents<Vec<u8>>,
    pem: VerifyOptions,
    jwks_cached: VerifyOptions,
    token_cache: VerifyOptions,
    auth: AuthenticateOptions,
    auth_cached: AuthenticateOptions,
    headers: http::HeaderMap,
    _server: wiremock::MockServer,
    _rt: tokio::runtime::Runtime,
}

fn fixture() -> Fixture {
    let key = TestKey::a();
    let mut claims = session_claims(now_s());
    claims["exp"] = serde_json::json!(now_s() + 3600);
    let token = key.token(&claims);
    let (input, sig) = token.rsplit_once('.').unwrap();
    let jwk = key.jwk();
    let n = URL_SAFE_NO_PAD.decode(jwk.n.unwrap()).unwrap();
    let e = URL_SAFE_NO_PAD.decode(jwk.e.unwrap()).unwrap();

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let srv = JwksServer::new(TestKey::jwks_json(&[&key]));
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let secret = format!(
        "sk_test_bench_{}",
        N.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    );
    let (server, clerk) = rt.block_on(srv.start(&secret));
    let jwks_cached = VerifyOptions::new().clerk(&clerk);
    rt.block_on(verify_token(&token, &jwks_cached)).unwrap(); // warm the JWKS cache
    assert_eq!(srv.hits(), 1);

    let mut headers = http::HeaderMap::new();
    headers.insert(
        http::header::AUTHORIZATION,
        format!("Bearer {token}").parse().unwrap(),
    );
    Fixture {
        signing_input: input.as_bytes().to_vec(),
        signature: URL_SAFE_NO_PAD.decode(sig).unwrap(),
        key: RsaPublicKeyComponents { n, e },
        pem: VerifyOptions::new().jwt_key(key.pem).unwrap(),
        token_cache: VerifyOptions::new()
            .jwt_key(key.pem)
            .unwrap()
            .token_cache(10_000),
        auth: AuthenticateOptions::new(jwks_cached.clone()),
        auth_cached: AuthenticateOptions::new(jwks_cached.clone().token_cache(10_000)),
        jwks_cached,
        headers,
        token,
        _server: server,
        _rt: rt,
    }
}

fn raw(f: &Fixture) {
    f.key
        .verify(
            &RSA_PKCS1_2048_8192_SHA256,
            black_box(&f.signing_input),
            black_box(&f.signature),
        )
        .unwrap();
}

fn bench(c: &mut Criterion) {
    let f = fixture();
    let mut g = c.benchmark_group("token_verification");
    g.measurement_time(Duration::from_secs(4));
    g.bench_function("raw_rs256_ring", |b| b.iter(|| raw(&f)));
    g.bench_function("verify_token_pem", |b| {
        b.iter(|| block_on(verify_token(black_box(&f.token), &f.pem)).unwrap());
    });
    g.bench_function("verify_token_jwks_cached", |b| {
        b.iter(|| block_on(verify_token(black_box(&f.token), &f.jwks_cached)).unwrap());
    });
    g.bench_function("authenticate_request_jwks_cached", |b| {
        b.iter(|| {
            let s = block_on(authenticate_headers(black_box(&f.headers), &f.auth));
            assert!(s.is_signed_in());
        });
    });
    g.bench_function("verify_token_token_cache_hit", |b| {
        b.iter(|| block_on(verify_token(black_box(&f.token), &f.token_cache)).unwrap());
    });
    g.bench_function("authenticate_request_token_cache_hit", |b| {
        b.iter(|| {
            let s = block_on(authenticate_headers(black_box(&f.headers), &f.auth_cached));
            assert!(s.is_signed_in());
        });
    });
    g.finish();
}

/// ops/s of `op` on `threads` threads for about `dur`.
fn throughput(threads: usize, dur: Duration, op: &(dyn Fn() + Sync)) -> f64 {
    let start = Instant::now();
    let total: u64 = std::thread::scope(|s| {
        let hs: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut n = 0u64;
                    while start.elapsed() < dur {
                        for _ in 0..64 {
                            op();
                        }
                        n += 64;
                    }
                    n
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).sum()
    });
    #[allow(clippy::cast_precision_loss)]
    let ops = total as f64 / start.elapsed().as_secs_f64();
    ops
}

fn throughput_table() {
    let f = fixture();
    let dur = Duration::from_millis(
        std::env::var("AUTH_BENCH_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(1500),
    );
    let rows: [(&str, &(dyn Fn() + Sync)); 6] = [
        ("raw RS256 (ring)", &|| raw(&f)),
        ("verify_token, PEM key", &|| {
            block_on(verify_token(&f.token, &f.pem)).unwrap();
        }),
        ("verify_token, cached JWKS", &|| {
            block_on(verify_token(&f.token, &f.jwks_cached)).unwrap();
        }),
        ("authenticate_request, cached JWKS", &|| {
            assert!(block_on(authenticate_headers(&f.headers, &f.auth)).is_signed_in());
        }),
        ("verify_token, token-cache hit", &|| {
            block_on(verify_token(&f.token, &f.token_cache)).unwrap();
        }),
        ("authenticate_request, token-cache hit", &|| {
            assert!(block_on(authenticate_headers(&f.headers, &f.auth_cached)).is_signed_in());
        }),
    ];
    println!("\nthroughput ({} ms per cell)", dur.as_millis());
    println!("| operation | ops/s, 1 thread | ops/s, 2 threads |");
    println!("|---|---:|---:|");
    for (name, op) in rows {
        let one = throughput(1, dur, op);
        let two = throughput(2, dur, op);
        println!("| {name} | {one:.0} | {two:.0} |");
    }
}

/// Median over rounds of (time of `b`) / (time of `a`), `a` and `b` interleaved in small
/// batches so that machine load (other builds on a shared box) hits both alike.
fn interleaved_ratio(a: &dyn Fn(), b: &dyn Fn(), rounds: usize, batch: usize) -> (f64, f64, f64) {
    let mut ratios = Vec::with_capacity(rounds);
    let (mut ta_all, mut tb_all) = (Vec::new(), Vec::new());
    for r in 0..rounds {
        let time = |f: &dyn Fn()| {
            let t = Instant::now();
            for _ in 0..batch {
                f();
            }
            t.elapsed().as_secs_f64() / batch as f64
        };
        let (ta, tb) = if r % 2 == 0 {
            let ta = time(a);
            (ta, time(b))
        } else {
            let tb = time(b);
            (time(a), tb)
        };
        ratios.push(tb / ta);
        ta_all.push(ta);
        tb_all.push(tb);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    (
        median(&mut ta_all) * 1e6,
        median(&mut tb_all) * 1e6,
        median(&mut ratios),
    )
}

fn ratio_table() {
    let f = fixture();
    let rounds = std::env::var("AUTH_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let raw_op = || raw(&f);
    let rows: [(&str, &dyn Fn()); 5] = [
        ("verify_token, PEM key", &|| {
            black_box(block_on(verify_token(black_box(&f.token), &f.pem)).unwrap());
        }),
        ("verify_token, cached JWKS", &|| {
            black_box(block_on(verify_token(black_box(&f.token), &f.jwks_cached)).unwrap());
        }),
        ("authenticate_request, cached JWKS", &|| {
            assert!(block_on(authenticate_headers(black_box(&f.headers), &f.auth)).is_signed_in());
        }),
        ("verify_token, token-cache hit", &|| {
            black_box(block_on(verify_token(black_box(&f.token), &f.token_cache)).unwrap());
        }),
        ("authenticate_request, token-cache hit", &|| {
            assert!(
                block_on(authenticate_headers(black_box(&f.headers), &f.auth_cached))
                    .is_signed_in()
            );
        }),
    ];
    println!("\ninterleaved against raw RS256 ({rounds} rounds of 20 + 20 calls, medians)");
    println!("| operation | raw RS256 µs | operation µs | ratio |");
    println!("|---|---:|---:|---:|");
    for (name, op) in rows {
        let (ta, tb, r) = interleaved_ratio(&raw_op, op, rounds, 20);
        println!("| {name} | {ta:.2} | {tb:.2} | {r:.3}× |");
    }
}

criterion_group!(benches, bench);

fn main() {
    // Profiling aid: `AUTH_BENCH_PROFILE=pem|raw` spins on one operation for 5 s.
    if let Ok(which) = std::env::var("AUTH_BENCH_PROFILE") {
        let f = fixture();
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(5) {
            for _ in 0..100 {
                if which == "raw" {
                    raw(&f);
                } else {
                    black_box(block_on(verify_token(black_box(&f.token), &f.pem)).unwrap());
                }
            }
        }
        return;
    }
    if std::env::var_os("AUTH_BENCH_SKIP_CRITERION").is_none() {
        benches();
    }
    Criterion::default().configure_from_args().final_summary();
    ratio_table();
    throughput_table();
}
