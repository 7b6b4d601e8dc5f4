//! The per-instance JWKS cache against a local server that counts fetches.

use std::time::Duration;

use clerk_backend::auth::{TokenVerificationErrorReason as R, VerifyOptions, verify_token};

use crate::auth_common::*;

#[tokio::test]
async fn auth_jwks_one_fetch_for_10000_verifications() {
    let key = TestKey::a();
    let srv = JwksServer::new(TestKey::jwks_json(&[&key]));
    let (_server, clerk) = srv.start("sk_test_jwks_10000").await;
    let o = VerifyOptions::new().clerk(&clerk);
    let t = key.token(&session_claims(now_s()));
    for _ in 0..10_000 {
        verify_token(&t, &o).await.unwrap();
    }
    assert_eq!(srv.hits(), 1);
}

#[tokio::test]
async fn auth_jwks_kid_rotation_picks_up_new_key_with_one_fetch() {
    let old = TestKey::a();
    let new = TestKey::b();
    let srv = JwksServer::new(TestKey::jwks_json(&[&old]));
    let (_server, clerk) = srv.start("sk_test_rotation").await;
    let o = VerifyOptions::new()
        .clerk(&clerk)
        .jwks_min_refresh_interval(Duration::ZERO)
        .token_cache(100);
    let old_token = old.token(&session_claims(now_s()));
    verify_token(&old_token, &o).await.unwrap();
    assert_eq!(o.token_cache_ref().unwrap().len(), 1);
    assert_eq!(srv.hits(), 1);

    srv.set(TestKey::jwks_json(&[&new]));
    let new_token = new.token(&session_claims(now_s()));
    verify_token(&new_token, &o).await.unwrap();
    assert_eq!(srv.hits(), 2, "exactly one fetch for the rotation");
    verify_token(&new_token, &o).await.unwrap();
    assert_eq!(srv.hits(), 2);

    // The key set changed: the cached old token must not be served from the cache any more;
    // its key is gone, so it fails (after one more fetch attempt for its kid).
    let err = verify_token(&old_token, &o).await.unwrap_err();
    assert_eq!(err.reason(), R::JwkKidMismatch);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auth_jwks_unknown_kid_burst_is_single_flight_and_rate_limited() {
    let known = TestKey::a();
    let stranger = TestKey::b().with_kid("unknown_kid");
    let srv = JwksServer::new(TestKey::jwks_json(&[&known]));
    let (_server, clerk) = srv.start("sk_test_burst").await;
    let base = VerifyOptions::new().clerk(&clerk);
    let bad = stranger.token(&session_claims(now_s()));

    let burst = |n: usize, o: VerifyOptions| {
        let handles: Vec<_> = (0..n)
            .map(|_| {
                let (o, bad) = (o.clone(), bad.clone());
                tokio::spawn(async move { verify_token(&bad, &o).await.unwrap_err().reason() })
            })
            .collect();
        async move {
            for h in handles {
                assert_eq!(h.await.unwrap(), R::JwkKidMismatch);
            }
        }
    };
    let long = base
        .clone()
        .jwks_min_refresh_interval(Duration::from_secs(600));
    // Cold cache: 1,000 concurrent unknown-kid verifications → one fetch (single-flight).
    burst(1000, long.clone()).await;
    assert_eq!(srv.hits(), 1);
    // Within the minimum interval: no fetch at all.
    burst(1000, long.clone()).await;
    assert_eq!(srv.hits(), 1);
    // With a short interval: at least one more fetch, and at most one per interval elapsed.
    let interval = Duration::from_millis(100);
    tokio::time::sleep(interval).await;
    let started = std::time::Instant::now();
    burst(1000, base.clone().jwks_min_refresh_interval(interval)).await;
    let allowed = 1 + (started.elapsed().as_millis() / interval.as_millis()) as usize;
    let added = srv.hits() - 1;
    assert!(
        (1..=allowed).contains(&added),
        "{added} fetches, allowed {allowed}"
    );
    // Known keys keep working throughout.
    verify_token(&known.token(&session_claims(now_s())), &long)
        .await
        .unwrap();
}

#[tokio::test]
async fn auth_jwks_two_instances_never_share_keys() {
    // Both instances use the same kid with different keys: a kid-keyed global cache would mix
    // them up.
    let a = TestKey::a().with_kid("shared_kid");
    let b = TestKey::b().with_kid("shared_kid");
    let srv_a = JwksServer::new(TestKey::jwks_json(&[&a]));
    let srv_b = JwksServer::new(TestKey::jwks_json(&[&b]));
    let (_sa, clerk_a) = srv_a.start("sk_test_instance_a").await;
    let (_sb, clerk_b) = srv_b.start("sk_test_instance_b").await;
    let oa = VerifyOptions::new().clerk(&clerk_a);
    let ob = VerifyOptions::new().clerk(&clerk_b);
    let ta = a.token(&session_claims(now_s()));
    let tb = b.token(&session_claims(now_s()));
    verify_token(&ta, &oa).await.unwrap();
    verify_token(&tb, &ob).await.unwrap();
    assert_eq!(
        verify_token(&ta, &ob).await.unwrap_err().reason(),
        R::TokenInvalidSignature
    );
    assert_eq!(
        verify_token(&tb, &oa).await.unwrap_err().reason(),
        R::TokenInvalidSignature
    );
    assert_eq!((srv_a.hits(), srv_b.hits()), (1, 1));
}

#[tokio::test]
async fn auth_jwks_ttl_refresh_in_background_and_failures() {
    let key = TestKey::a();
    let srv = JwksServer::new(TestKey::jwks_json(&[&key]));
    let (server, clerk) = srv.start("sk_test_ttl").await;
    let o = VerifyOptions::new()
        .clerk(&clerk)
        .jwks_cache_ttl(Duration::from_millis(100))
        .jwks_min_refresh_interval(Duration::ZERO);
    let t = key.token(&session_claims(now_s()));
    verify_token(&t, &o).await.unwrap();
    assert_eq!(srv.hits(), 1);
    // Past the TTL, with a slow JWKS endpoint: the request is served from the stale keys at
    // once, and one refresh runs in the background.
    tokio::time::sleep(Duration::from_millis(150)).await;
    srv.set_delay(Duration::from_millis(1500));
    let started = std::time::Instant::now();
    for _ in 0..20 {
        verify_token(&t, &o).await.unwrap();
    }
    assert!(
        started.elapsed() < Duration::from_millis(1000),
        "waited for the refresh: {:?}",
        started.elapsed()
    );
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while srv.hits() < 2 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(srv.hits(), 2, "exactly one background refresh");
    srv.set_delay(Duration::ZERO);
    // The server goes away: stale keys keep working.
    drop(server);
    tokio::time::sleep(Duration::from_millis(1700)).await;
    verify_token(&t, &o).await.unwrap();

    // An instance whose JWKS cannot be loaded.
    let broken = clerk_backend::Clerk::builder()
        .secret_key("sk_test_nothing_here")
        .server_url("http://127.0.0.1:9")
        .build()
        .unwrap();
    let e = verify_token(&t, &VerifyOptions::new().clerk(&broken))
        .await
        .unwrap_err();
    assert_eq!(e.reason(), R::RemoteJwkFailedToLoad);
    assert!(!format!("{e:?}").contains("sk_test_nothing_here"));
}

#[tokio::test]
async fn auth_jwks_invalid_secret_key() {
    let server = wiremock::MockServer::builder().start().await;
    wiremock::Mock::given(wiremock::matchers::path("/jwks"))
        .respond_with(
            wiremock::ResponseTemplate::new(401).set_body_json(serde_json::json!({
                "errors": [{"code": "authentication_invalid", "message": "invalid key"}]
            })),
        )
        .mount(&server)
        .await;
    let clerk = clerk_backend::Clerk::builder()
        .secret_key("sk_test_refused")
        .server_url(server.uri())
        .build()
        .unwrap();
    let t = TestKey::a().token(&session_claims(now_s()));
    let e = verify_token(&t, &VerifyOptions::new().clerk(&clerk))
        .await
        .unwrap_err();
    assert_eq!(e.reason(), R::InvalidSecretKey);
}

#[tokio::test]
async fn auth_jwks_fetched_sets_with_unusable_or_no_keys() {
    let a = TestKey::a();
    let enc = TestKey::b().with_kid("enc_1");
    let mut enc_jwk = serde_json::to_value(enc.jwk()).unwrap();
    enc_jwk["use"] = serde_json::json!("enc");
    let good = serde_json::to_value(a.jwk()).unwrap();
    let srv = JwksServer::new(serde_json::json!({"keys": [enc_jwk, good]}));
    let (_server, clerk) = srv.start("sk_test_jwks_enc").await;
    let o = VerifyOptions::new()
        .clerk(&clerk)
        .jwks_min_refresh_interval(Duration::ZERO);
    // The set still loads: the usable key verifies, the `use: enc` key fails its tokens.
    verify_token(&a.token(&session_claims(now_s())), &o)
        .await
        .unwrap();
    let e = verify_token(&enc.token(&session_claims(now_s())), &o)
        .await
        .unwrap_err();
    assert_eq!(e.reason(), R::TokenVerificationFailed);
    let missing = a.sign(
        &serde_json::json!({"alg": "RS256"}),
        &session_claims(now_s()),
    );
    assert_eq!(
        verify_token(&missing, &o).await.unwrap_err().reason(),
        R::JwkKidMismatch
    );

    let empty = JwksServer::new(serde_json::json!({"keys": []}));
    let (_server, clerk) = empty.start("sk_test_jwks_empty").await;
    let o = VerifyOptions::new().clerk(&clerk);
    let e = verify_token(&a.token(&session_claims(now_s())), &o)
        .await
        .unwrap_err();
    assert_eq!(e.reason(), R::RemoteJwkFailedToLoad);
}
