//! Request pipeline overhead (issue 3): one call through the full pipeline (hooks installed,
//! the default retry policy on, no faults; tracing compiled in, no subscriber) vs the same call
//! with everything off, in the same run.
//!
//! - criterion `loopback/*`: a real HTTP/1.1 keep-alive exchange with a local server on
//!   127.0.0.1, client and server on one thread.
//! - criterion `in_memory/*`: an in-memory `Transport` that answers at once — the pipeline's
//!   own CPU cost, with no network to hide it.
//! - `interleaved loopback`: the headline figure. Criterion measures configurations one after
//!   the other, which on a shared 2-core machine lets load drift pass for overhead; this times
//!   one call of each configuration per round, in a random order, 20 000 rounds, and compares
//!   medians. Two identical "everything off" clients give the noise floor (A/A).
//!
//! Run: `cargo bench -p clerk-backend --bench pipeline`

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use clerk_backend::pipeline::{ApiRequest, Operation, OperationInfo, decode_json};
use clerk_backend::transport::{BoxFuture, HttpRequest, RawResponse, Transport};
use clerk_backend::{Clerk, ClerkBuilder, Result, RetryConfig};
use criterion::{Criterion, criterion_group};
use http::{HeaderMap, HeaderValue, StatusCode};
use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};

const BODY: &str = r#"{"id":"user_2x","object":"user","first_name":"Ada","last_name":"Lovelace","email_addresses":[{"id":"idn_1","email_address":"ada@example.com"}],"created_at":1700000000000}"#;

static INFO: OperationInfo =
    OperationInfo::new("users", "get", "GetUser", "GET", "/users/{user_id}");

struct GetUser;

impl Operation for GetUser {
    type Output = serde_json::Value;
    const INFO: &'static OperationInfo = &INFO;
    fn build(self) -> Result<ApiRequest> {
        Ok(ApiRequest::new(Self::INFO, "/users/user_2x"))
    }
    fn decode(response: RawResponse) -> Result<Self::Output> {
        decode_json(response)
    }
}

/// Answers every request at once from memory.
struct Instant200;

impl Transport for Instant200 {
    fn send(&self, _: HttpRequest) -> BoxFuture<'_, Result<RawResponse>> {
        let mut h = HeaderMap::new();
        h.insert("content-type", HeaderValue::from_static("application/json"));
        Box::pin(async move { Ok(RawResponse::new(StatusCode::OK, h, BODY)) })
    }
}

/// A keep-alive HTTP/1.1 server that answers every request with `BODY`.
async fn serve() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let response = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{BODY}",
        BODY.len()
    );
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let response = response.clone();
            tokio::spawn(async move {
                let mut reader = BufReader::new(stream);
                let mut line = String::new();
                loop {
                    // GET requests have no body: read up to the blank line.
                    line.clear();
                    if reader.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    if line == "\r\n"
                        && reader
                            .get_mut()
                            .write_all(response.as_bytes())
                            .await
                            .is_err()
                    {
                        return;
                    }
                }
            });
        }
    });
    format!("http://{addr}/v1")
}

/// Everything off: no retries, no budget, no timeout, no deadline, no hooks.
fn bare(b: ClerkBuilder) -> Clerk {
    b.secret_key("sk_test_bench")
        .retry(RetryConfig::none())
        .retry_budget(clerk_backend::RetryBudget::unlimited())
        .timeout(None)
        .deadline(None)
        .build()
        .unwrap()
}

/// Hooks installed (each does a little bookkeeping), the default retry policy and budget on,
/// timeouts as `b` sets them (the defaults: 30 s per attempt, 120 s per call).
fn full(b: ClerkBuilder, counter: Arc<AtomicU64>) -> Clerk {
    let (c0, c1, c2) = (counter.clone(), counter.clone(), counter);
    b.secret_key("sk_test_bench")
        .retry(RetryConfig::default())
        .before_request(move |ctx, _| {
            c0.fetch_add(u64::from(ctx.attempt), Ordering::Relaxed);
            Ok(())
        })
        .after_success(move |_, r| {
            c1.fetch_add(r.body.len() as u64, Ordering::Relaxed);
        })
        .after_error(move |_, _| {
            c2.fetch_add(1, Ordering::Relaxed);
        })
        .build()
        .unwrap()
}

fn pipeline(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let url = rt.block_on(serve());
    let counter = Arc::new(AtomicU64::new(0));

    let mut group = c.benchmark_group("loopback");
    group
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(6))
        .sample_size(60);
    let off = bare(Clerk::builder().server_url(&url));
    let on = full(Clerk::builder().server_url(&url), counter.clone());
    group.bench_function("everything_off", |b| {
        b.to_async(&rt)
            .iter(|| async { black_box(off.call(GetUser).await.unwrap()) });
    });
    group.bench_function("hooks_and_retry", |b| {
        b.to_async(&rt)
            .iter(|| async { black_box(on.call(GetUser).await.unwrap()) });
    });
    group.finish();

    let mut group = c.benchmark_group("in_memory");
    group
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    let off = bare(Clerk::builder().transport(Instant200));
    let on = full(Clerk::builder().transport(Instant200), counter.clone());
    group.bench_function("everything_off", |b| {
        b.to_async(&rt)
            .iter(|| async { black_box(off.call(GetUser).await.unwrap()) });
    });
    group.bench_function("hooks_and_retry", |b| {
        b.to_async(&rt)
            .iter(|| async { black_box(on.call(GetUser).await.unwrap()) });
    });
    // Breakdown: each part of the full pipeline alone.
    let retry_only = Clerk::builder()
        .transport(Instant200)
        .secret_key("sk_test_bench")
        .build()
        .unwrap();
    group.bench_function("retry_policy_only", |b| {
        b.to_async(&rt)
            .iter(|| async { black_box(retry_only.call(GetUser).await.unwrap()) });
    });
    let timeout_only = bare(
        Clerk::builder()
            .transport(Instant200)
            .timeout(Duration::from_secs(10)),
    );
    group.bench_function("timeout_only", |b| {
        b.to_async(&rt)
            .iter(|| async { black_box(timeout_only.call(GetUser).await.unwrap()) });
    });
    let c = counter.clone();
    let hooks_only = bare(
        Clerk::builder()
            .transport(Instant200)
            .before_request(|ctx, req| {
                req.headers_mut()
                    .insert("x-attempt", HeaderValue::from(ctx.attempt));
                Ok(())
            })
            .after_success(move |_, r| {
                c.fetch_add(r.body.len() as u64, Ordering::Relaxed);
            })
            .after_error(|_, _| {}),
    );
    group.bench_function("hooks_only", |b| {
        b.to_async(&rt)
            .iter(|| async { black_box(hooks_only.call(GetUser).await.unwrap()) });
    });
    group.finish();
}

/// Paired comparison: rounds of `n` calls per configuration, rotating which goes first, and
/// the median of the per-round ratios to "everything off" — robust to the drift of a shared
/// machine, which criterion's back-to-back measurements are not.
fn paired(
    rt: &tokio::runtime::Runtime,
    label: &str,
    rounds: usize,
    n: usize,
    configs: &[(&str, Clerk)],
) {
    let time = |clerk: &Clerk| {
        rt.block_on(async {
            let started = std::time::Instant::now();
            for _ in 0..n {
                black_box(clerk.call(GetUser).await.unwrap());
            }
            started.elapsed().as_secs_f64() / n as f64
        })
    };
    for (_, c) in configs {
        time(c);
    }
    let k = configs.len();
    let mut per_call = vec![Vec::new(); k];
    let mut ratios = vec![Vec::new(); k];
    for round in 0..rounds {
        let mut t = vec![0.0; k];
        for j in 0..k {
            let i = (round + j) % k;
            t[i] = time(&configs[i].1);
        }
        for i in 0..k {
            per_call[i].push(t[i]);
            ratios[i].push(t[i] / t[0]);
        }
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    println!("paired {label} ({rounds} rounds × {n} calls per configuration):");
    let base = median(&mut per_call[0].clone());
    for i in 0..k {
        let m = median(&mut per_call[i]);
        let of_medians = (m / base - 1.0) * 100.0;
        let median_ratio = (median(&mut ratios[i]) - 1.0) * 100.0;
        println!(
            "  {:<34} {:>8.2} µs/call {:>+7.2} µs {of_medians:>+7.2} % (ratio of medians) {median_ratio:>+7.2} % (median of per-round ratios)",
            configs[i].0,
            m * 1e6,
            (m - base) * 1e6
        );
    }
}

/// Call-by-call interleaving: every round times one call of each configuration (in a random
/// order), so load drift hits all of them alike; reports the median call of each.
fn interleaved(rt: &tokio::runtime::Runtime, label: &str, calls: usize, configs: &[(&str, Clerk)]) {
    let k = configs.len();
    let mut samples = vec![Vec::with_capacity(calls); k];
    rt.block_on(async {
        for (_, c) in configs {
            for _ in 0..200 {
                black_box(c.call(GetUser).await.unwrap());
            }
        }
        let mut order: Vec<usize> = (0..k).collect();
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        for _ in 0..calls {
            // A fresh random order every round (xorshift + Fisher–Yates), so no configuration
            // always follows the same other one.
            for j in (1..k).rev() {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                order.swap(j, (seed % (j as u64 + 1)) as usize);
            }
            for &i in &order {
                let started = std::time::Instant::now();
                black_box(configs[i].1.call(GetUser).await.unwrap());
                samples[i].push(started.elapsed().as_secs_f64());
            }
        }
    });
    let stats = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        // median, and the mean of the middle half (25th–75th percentile)
        let mid = &v[v.len() / 4..v.len() * 3 / 4];
        (v[v.len() / 2], mid.iter().sum::<f64>() / mid.len() as f64)
    };
    println!("interleaved {label} ({calls} calls per configuration, call by call):");
    let (base_med, base_mean) = stats(&mut samples[0].clone());
    for i in 0..k {
        let (med, mean) = stats(&mut samples[i]);
        println!(
            "  {:<34} median {:>8.2} µs ({:>+6.2} %)   interquartile mean {:>8.2} µs ({:>+6.2} %)",
            configs[i].0,
            med * 1e6,
            (med / base_med - 1.0) * 100.0,
            mean * 1e6,
            (mean / base_mean - 1.0) * 100.0
        );
    }
}

fn paired_all() {
    let counter = Arc::new(AtomicU64::new(0));
    // Client and server share one thread: no cross-thread wake-ups, whose latency depends on
    // how long the other side idled and would otherwise blur a difference of a few percent.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let url = rt.block_on(serve());
    let at = || Clerk::builder().server_url(&url);
    let loopback = vec![
        ("everything off", bare(at())),
        ("everything off, 2nd client (A/A)", bare(at())),
        (
            "hooks + retry policy, bounds off",
            full(at().timeout(None).deadline(None), counter.clone()),
        ),
        (
            "defaults: hooks + retry + timeout + deadline",
            full(at(), counter.clone()),
        ),
        (
            "hooks + retry, hook adds a header",
            full(
                at().before_request(|_, req| {
                    req.headers_mut()
                        .insert("x-request-source", HeaderValue::from_static("bench"));
                    Ok(())
                }),
                counter.clone(),
            ),
        ),
    ];
    interleaved(&rt, "loopback HTTP", 20_000, &loopback);
    let mem = || Clerk::builder().transport(Instant200);
    let memory = vec![
        ("everything off", bare(mem())),
        (
            "hooks + retry policy, bounds off",
            full(mem().timeout(None).deadline(None), counter.clone()),
        ),
        (
            "defaults: hooks + retry + timeout + deadline",
            full(mem(), counter.clone()),
        ),
    ];
    paired(&rt, "in-memory transport", 41, 3000, &memory);
}

criterion_group!(benches, pipeline);

fn main() {
    benches();
    paired_all();
    Criterion::default().configure_from_args().final_summary();
}
