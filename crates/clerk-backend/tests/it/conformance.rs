//! Every operation against Prism serving the spec: requests must pass Prism's validation and
//! responses must decode into the generated models.

use clerk_backend::{Clerk, Error, RetryConfig};
use futures_util::StreamExt as _;

use crate::conformance_calls as calls;
use crate::prism::{Prism, spec_path, with_complete_objects};

/// Did Prism reject our request (as opposed to returning a declared error)?
fn prism_rejection(e: &clerk_backend::ApiError) -> Option<String> {
    let violations = e
        .headers
        .get("sl-violations")
        .and_then(|v| v.to_str().ok())
        .filter(|v| v.contains("\"request\""));
    if let Some(v) = violations {
        return Some(format!("request violates the spec: {v}"));
    }
    let body = e.body_text();
    if body.contains("stoplight.io/prism/errors#") {
        return Some(format!("Prism error: {body}"));
    }
    None
}

fn client(url: &str) -> Clerk {
    Clerk::builder()
        .secret_key("sk_test_conformance")
        .server_url(url)
        .retry(RetryConfig::none())
        // Node closes idle keep-alive connections after 5 s; never reuse one that old.
        .pool_idle_timeout(std::time::Duration::from_secs(2))
        .build()
        .expect("client")
}

async fn run(
    name: &str,
    spec: std::path::PathBuf,
    ops: &'static [(&'static str, &'static str)],
    seed: bool,
) {
    // The seed spec lists no `required` properties for most schemas (User, Organization, …),
    // so Prism would drop arbitrary fields, including ids; the real API always sends them.
    // Ask it for complete objects there. The current spec's explicit `required` lists are
    // honoured as published, so its optional fields come and go at random.
    let spec = if seed {
        with_complete_objects(&spec)
    } else {
        spec
    };
    let prism = Prism::start(&spec);
    let clerk = client(&prism.url());
    let results: Vec<(String, Result<(), String>)> = futures_util::stream::iter(ops.iter())
        .map(|(g, n)| {
            let clerk = clerk.clone();
            async move {
                let outcome = if seed {
                    calls::call_seed(&clerk, g, n).await
                } else {
                    calls::call_current(&clerk, g, n).await
                };
                let verdict = match outcome {
                    None => Err("no call generated".to_owned()),
                    Some(Ok(())) => Ok(()),
                    Some(Err(Error::Api(e))) => Err(prism_rejection(&e)
                        .unwrap_or_else(|| format!("unexpected {}: {}", e.status, e.body_text()))),
                    Some(Err(Error::Decode(e))) => Err(e.to_string()),
                    Some(Err(e)) => Err(e.to_string()),
                };
                (format!("{g}.{n}"), verdict)
            }
        })
        .buffer_unordered(8)
        .collect()
        .await;
    let failures: Vec<&(String, Result<(), String>)> =
        results.iter().filter(|(_, r)| r.is_err()).collect();
    let passed = results.len() - failures.len();
    println!("conformance {name}: {passed}/{} operations pass", ops.len());
    for (op, r) in &failures {
        if let Err(msg) = r {
            let msg: String = msg.chars().take(600).collect();
            println!("  FAIL {op}: {msg}");
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} operations failed against Prism ({name})",
        failures.len(),
        ops.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_of_the_current_spec_passes_prism() {
    let spec = spec_path("CLERK_OPENAPI_SPEC", "bapi-2026-05-12.yml");
    assert_eq!(calls::OPS_CURRENT.len(), 249);
    run("2026-05-12", spec, calls::OPS_CURRENT, false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_seed_operation_passes_prism_serving_the_seed_spec() {
    let spec = spec_path("CLERK_OPENAPI_SEED_SPEC", "bapi-2025-03-12-seed.yml");
    assert_eq!(calls::OPS_SEED.len(), 130);
    run("seed 2025-03-12", spec, calls::OPS_SEED, true).await;
}
