//! clerk-emulator figures for BENCHMARKS.md (a plain bench binary: each figure is one timed run).
//!
//! `cargo bench -p clerk-emulator --bench emulator` (`EMULATOR_BENCH_SIZES=1000000` for the
//! one-million-user run; default 10,000 and 100,000; `EMULATOR_BENCH_IMPORT=N` users imported
//! through the SDK, default 100,000).
//!
//! - start: the first `Emulator::start()` of a process (RSA key generation included), then the
//!   median of 20 more (the key is cached per process);
//! - requests/s for `GET /v1/users/{id}` and `GET /v1/users?limit=100` over HTTP/1.1 with
//!   keep-alive, 4 concurrent clients, 3 s each, at each database size;
//! - importing 100,000 users through the SDK (`users().create()`, 8 concurrent);
//! - resident memory added per 100,000 users (in-memory SQLite, `load_users`).

use clerk_emulator::Emulator;
use serde_json::{Map, Value, json};
use std::time::{Duration, Instant};

fn rss_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages * 4096
}

fn user(i: usize) -> Map<String, Value> {
    let Value::Object(m) = json!({
        "email_address": [format!("user{i}@example.com")],
        "first_name": format!("First{i}"), "last_name": format!("Last{}", i % 1000),
        "username": format!("user_{i}"), "public_metadata": {"i": i},
    }) else {
        unreachable!()
    };
    m
}

async fn rps(url: &str, key: &str, paths: &[String]) -> f64 {
    let stop = Instant::now() + Duration::from_secs(3);
    let mut tasks = Vec::new();
    for w in 0..4 {
        let (url, key, paths) = (url.to_owned(), key.to_owned(), paths.to_vec());
        tasks.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            let mut n = 0u64;
            let mut i = w;
            while Instant::now() < stop {
                let r = http
                    .get(format!("{url}{}", paths[i % paths.len()]))
                    .bearer_auth(&key)
                    .send()
                    .await
                    .expect("answer");
                assert!(r.status().is_success());
                let _ = r.bytes().await.expect("body");
                n += 1;
                i += 7;
            }
            n
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await.expect("task");
    }
    total as f64 / 3.0
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let t = Instant::now();
    let first = Emulator::start().await.expect("start");
    let first_start = t.elapsed();
    drop(first);
    let mut starts: Vec<Duration> = (0..20).map(|_| Duration::ZERO).collect();
    for s in &mut starts {
        let t = Instant::now();
        let e = Emulator::start().await.expect("start");
        *s = t.elapsed();
        drop(e);
    }
    starts.sort();
    println!(
        "start: first {first_start:?} (RSA key generation included), then median {:?}",
        starts[10]
    );

    // EMULATOR_BENCH_SIZES=10000,100000,1000000 (default 10000,100000)
    let sizes: Vec<usize> = std::env::var("EMULATOR_BENCH_SIZES")
        .unwrap_or_else(|_| "10000,100000".into())
        .split(',')
        .filter_map(|v| v.trim().parse().ok())
        .collect();
    for n in sizes {
        let emu = Emulator::start().await.expect("start");
        let before = rss_bytes();
        let t = Instant::now();
        let mut ids = Vec::with_capacity(n);
        for chunk in (0..n).collect::<Vec<_>>().chunks(10_000) {
            ids.extend(
                emu.load_users(chunk.iter().map(|i| user(*i)))
                    .expect("load"),
            );
        }
        let load = t.elapsed();
        let mem = rss_bytes().saturating_sub(before);
        println!(
            "{n} users: loaded in {load:?} ({:.0} users/s), +{:.1} MiB RSS ({:.1} MiB per 100,000)",
            n as f64 / load.as_secs_f64(),
            mem as f64 / 1048576.0,
            mem as f64 / 1048576.0 * 100_000.0 / n as f64
        );
        let url = emu.api_url();
        let get: Vec<String> = ids
            .iter()
            .step_by((n / 1000).max(1))
            .map(|id| format!("/users/{id}"))
            .collect();
        println!(
            "  GET /users/{{id}}:        {:.0} requests/s",
            rps(&url, emu.secret_key(), &get).await
        );
        let list: Vec<String> = (0..50)
            .map(|p| format!("/users?limit=100&offset={}", p * 100))
            .collect();
        println!(
            "  GET /users?limit=100:    {:.0} requests/s",
            rps(&url, emu.secret_key(), &list).await
        );
        let filt: Vec<String> = (0..50)
            .map(|i| format!("/users?email_address=user{}@example.com", i * (n / 50)))
            .collect();
        println!(
            "  GET /users?email_address=: {:.0} requests/s",
            rps(&url, emu.secret_key(), &filt).await
        );
    }

    let emu = Emulator::start().await.expect("start");
    let clerk = emu.client();
    let n = std::env::var("EMULATOR_BENCH_IMPORT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000usize);
    let t = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..8 {
        let clerk = clerk.clone();
        tasks.push(tokio::spawn(async move {
            let mut i = w;
            while i < n {
                clerk
                    .users()
                    .create()
                    .email_address([format!("import{i}@example.com")])
                    .first_name("Imported")
                    .send()
                    .await
                    .expect("create");
                i += 8;
            }
        }));
    }
    for t in tasks {
        t.await.expect("task");
    }
    let took = t.elapsed();
    println!(
        "import {n} users through the SDK (8 concurrent): {took:?} ({:.0} users/s)",
        n as f64 / took.as_secs_f64()
    );
}
