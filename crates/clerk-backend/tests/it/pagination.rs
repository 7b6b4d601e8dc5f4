//! `into_stream()` over limit/offset lists: bare-array pages and `{data, total_count}` pages.

use futures_util::{StreamExt as _, TryStreamExt as _};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use clerk_backend::Error;

use crate::wire::{self, requests};

/// Serves `items[offset..offset+limit]` (limit defaulting to 10, as the API does), either as a
/// bare array or as `{data, total_count}`.
struct Pages {
    items: Vec<Value>,
    wrapped: bool,
}

fn param(request: &Request, name: &str) -> Option<usize> {
    request
        .url
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.parse().expect("numeric query parameter"))
}

impl Respond for Pages {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let offset = param(request, "offset").unwrap_or(0).min(self.items.len());
        let limit = param(request, "limit").unwrap_or(10);
        let end = (offset + limit).min(self.items.len());
        let page = &self.items[offset..end];
        let body = if self.wrapped {
            json!({"data": page, "total_count": self.items.len()})
        } else {
            json!(page)
        };
        ResponseTemplate::new(200).set_body_json(body)
    }
}

fn users(n: usize) -> Vec<Value> {
    let template = wire::fixture("user_full.json");
    (0..n)
        .map(|i| {
            let mut user = template.clone();
            user["id"] = json!(format!("user_{i}"));
            user["first_name"] = json!(format!("U{i}"));
            user
        })
        .collect()
}

fn organizations(n: usize) -> Vec<Value> {
    (0..n)
        .map(|i| {
            json!({
                "object": "organization",
                "id": format!("org_{i}"),
                "name": format!("Org {i}"),
                "slug": format!("org-{i}"),
                "max_allowed_memberships": 5,
                "admin_delete_enabled": true,
                "public_metadata": {},
                "created_at": 1_700_000_000_000_i64 + i as i64,
                "updated_at": 1_700_000_000_000_i64 + i as i64,
            })
        })
        .collect()
}

async fn serve(server: &MockServer, route: &str, items: Vec<Value>, wrapped: bool) {
    Mock::given(method("GET"))
        .and(path(route))
        .respond_with(Pages { items, wrapped })
        .mount(server)
        .await;
}

/// `(offset, limit)` of every request the server saw (a missing offset counts as 0).
async fn pages_requested(server: &MockServer) -> Vec<(usize, Option<usize>)> {
    requests(server)
        .await
        .iter()
        .map(|r| (param(r, "offset").unwrap_or(0), param(r, "limit")))
        .collect()
}

#[tokio::test]
async fn bare_array_list_streams_every_item_and_stops_on_a_short_page() {
    let server = wire::server().await;
    serve(&server, "/users", users(5), false).await;
    let clerk = wire::client(&server);
    let all: Vec<_> = clerk
        .users()
        .list()
        .limit(2)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<&str> = all.iter().map(|u| u.id.as_str()).collect();
    assert_eq!(ids, ["user_0", "user_1", "user_2", "user_3", "user_4"]);
    assert_eq!(
        pages_requested(&server).await,
        [(0, Some(2)), (2, Some(2)), (4, Some(2))]
    );
}

#[tokio::test]
async fn bare_array_list_needs_an_empty_page_when_the_last_page_is_full() {
    // Without a total, a full last page cannot be told from a middle one.
    let server = wire::server().await;
    serve(&server, "/users", users(4), false).await;
    let clerk = wire::client(&server);
    let all: Vec<_> = clerk
        .users()
        .list()
        .limit(2)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 4);
    assert_eq!(
        pages_requested(&server).await,
        [(0, Some(2)), (2, Some(2)), (4, Some(2))]
    );
}

#[tokio::test]
async fn stream_starts_at_the_given_offset_and_pages_lazily() {
    let server = wire::server().await;
    serve(&server, "/users", users(9), false).await;
    let clerk = wire::client(&server);
    let mut stream = clerk.users().list().limit(3).offset(4).into_stream();
    assert!(
        requests(&server).await.is_empty(),
        "nothing sent before polling"
    );
    let first = stream.next().await.unwrap().unwrap();
    assert_eq!(first.id, "user_4");
    assert_eq!(pages_requested(&server).await, [(4, Some(3))]);
    let rest: Vec<_> = stream.by_ref().try_collect().await.unwrap();
    let ids: Vec<&str> = rest.iter().map(|u| u.id.as_str()).collect();
    assert_eq!(ids, ["user_5", "user_6", "user_7", "user_8"]);
    // An ended stream stays ended (and does not panic when polled again).
    assert!(stream.next().await.is_none());
    assert!(stream.next().await.is_none());
    assert_eq!(pages_requested(&server).await, [(4, Some(3)), (7, Some(3))]);
}

#[tokio::test]
async fn data_total_count_list_stops_at_total_count() {
    let server = wire::server().await;
    serve(&server, "/organizations", organizations(4), true).await;
    let clerk = wire::client(&server);
    let all: Vec<_> = clerk
        .organizations()
        .list()
        .limit(2)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    let slugs: Vec<&str> = all.iter().map(|o| o.slug.as_str()).collect();
    assert_eq!(slugs, ["org-0", "org-1", "org-2", "org-3"]);
    // The second page reaches total_count: no third, empty, request.
    assert_eq!(pages_requested(&server).await, [(0, Some(2)), (2, Some(2))]);
}

#[tokio::test]
async fn data_total_count_list_with_the_default_limit() {
    let server = wire::server().await;
    serve(&server, "/organizations", organizations(23), true).await;
    let clerk = wire::client(&server);
    let all: Vec<_> = clerk
        .organizations()
        .list()
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 23);
    assert_eq!(all[22].id, "org_22");
    assert_eq!(
        pages_requested(&server).await,
        [(0, None), (10, None), (20, None)]
    );
}

#[tokio::test]
async fn an_error_mid_stream_is_yielded_once_then_the_stream_ends() {
    let server = wire::server().await;
    Mock::given(method("GET"))
        .and(path("/users"))
        .and(wiremock::matchers::query_param("offset", "2"))
        .respond_with(ResponseTemplate::new(500).set_body_json(json!({
            "errors": [{"code": "internal_clerk_error", "message": "Oops"}],
            "clerk_trace_id": "trace-mid-stream"
        })))
        .mount(&server)
        .await;
    serve(&server, "/users", users(6), false).await;
    let clerk = wire::client(&server);
    let mut stream = clerk.users().list().limit(2).into_stream();
    let mut seen = Vec::new();
    while let Some(item) = stream.next().await {
        seen.push(item);
    }
    assert_eq!(seen.len(), 3, "two items, then one error: {seen:?}");
    assert_eq!(seen[0].as_ref().unwrap().id, "user_0");
    assert_eq!(seen[1].as_ref().unwrap().id, "user_1");
    let err = seen[2].as_ref().unwrap_err();
    let api = err.as_api().expect("the API error");
    assert_eq!(api.status().as_u16(), 500);
    assert_eq!(api.code(), Some("internal_clerk_error"));
    assert_eq!(api.trace_id(), Some("trace-mid-stream"));
    // Finished for good: polling again neither yields nor sends anything.
    assert!(stream.next().await.is_none());
    assert_eq!(pages_requested(&server).await, [(0, Some(2)), (2, Some(2))]);
}

/// Serves at most `cap` items per page whatever the limit, with the true `total_count`.
struct ShortPages {
    items: Vec<Value>,
    cap: usize,
}

impl Respond for ShortPages {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let offset = param(request, "offset").unwrap_or(0).min(self.items.len());
        let limit = param(request, "limit").unwrap_or(10).min(self.cap);
        let end = (offset + limit).min(self.items.len());
        ResponseTemplate::new(200).set_body_json(
            json!({"data": &self.items[offset..end], "total_count": self.items.len()}),
        )
    }
}

#[tokio::test]
async fn a_short_page_does_not_end_a_list_whose_total_count_says_more() {
    let server = wire::server().await;
    Mock::given(method("GET"))
        .and(path("/organizations"))
        .respond_with(ShortPages {
            items: organizations(5),
            cap: 2,
        })
        .mount(&server)
        .await;
    let clerk = wire::client(&server);
    let all: Vec<_> = clerk
        .organizations()
        .list()
        .limit(3)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 5);
    assert_eq!(
        pages_requested(&server).await,
        [(0, Some(3)), (2, Some(3)), (4, Some(3))]
    );
}

#[tokio::test]
async fn into_pages_yields_each_page_with_its_total_count() {
    let server = wire::server().await;
    serve(&server, "/organizations", organizations(5), true).await;
    let clerk = wire::client(&server);
    let pages: Vec<_> = clerk
        .organizations()
        .list()
        .limit(2)
        .into_pages()
        .try_collect()
        .await
        .unwrap();
    let sizes: Vec<(usize, Option<i64>)> = pages.iter().map(|p| (p.len(), p.total_count)).collect();
    assert_eq!(sizes, [(2, Some(5)), (2, Some(5)), (1, Some(5))]);

    // A bare-array list: pages without a count, the last one short.
    let server = wire::server().await;
    serve(&server, "/users", users(3), false).await;
    let clerk = wire::client(&server);
    let pages: Vec<_> = clerk
        .users()
        .list()
        .limit(2)
        .into_pages()
        .try_collect()
        .await
        .unwrap();
    let sizes: Vec<(usize, Option<i64>)> = pages.iter().map(|p| (p.len(), p.total_count)).collect();
    assert_eq!(sizes, [(2, None), (1, None)]);
}

#[tokio::test]
async fn a_paginated_list_streams_from_both_shapes() {
    fn invitations(n: usize) -> Vec<Value> {
        (0..n)
            .map(|i| {
                json!({
                    "object": "invitation", "id": format!("inv_{i}"),
                    "email_address": format!("guest{i}@example.com"), "public_metadata": {},
                    "revoked": false, "status": "pending", "url": null,
                    "expires_at": null, "created_at": 1_700_000_000_000_i64,
                    "updated_at": 1_700_000_000_000_i64
                })
            })
            .collect()
    }
    for wrapped in [false, true] {
        let server = wire::server().await;
        serve(&server, "/invitations", invitations(5), wrapped).await;
        let clerk = wire::client(&server);
        let all: Vec<_> = clerk
            .invitations()
            .list()
            .paginated(wrapped)
            .limit(2)
            .into_stream()
            .try_collect()
            .await
            .unwrap();
        let ids: Vec<&str> = all.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(
            ids,
            ["inv_0", "inv_1", "inv_2", "inv_3", "inv_4"],
            "wrapped: {wrapped}"
        );
    }
}

#[tokio::test]
async fn a_limit_above_the_maximum_fails_before_any_request() {
    let server = wire::server().await;
    serve(&server, "/users", users(1), false).await;
    let clerk = wire::client(&server);
    let err = clerk.users().list().limit(501).send().await.unwrap_err();
    let Error::InvalidRequest(msg) = &err else {
        panic!("expected InvalidRequest, got {err:?}")
    };
    assert!(
        msg.contains("`limit` is 501, above the API's maximum of 500"),
        "{msg}"
    );
    let first = clerk.users().list().limit(501).into_stream().next().await;
    assert!(
        matches!(first, Some(Err(Error::InvalidRequest(_)))),
        "{first:?}"
    );
    let err = clerk.users().list().offset(-1).send().await.unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    assert!(requests(&server).await.is_empty(), "nothing was sent");
    // The maximum itself is fine.
    clerk.users().list().limit(500).send().await.unwrap();
}

/// The fields a caller that walks every user for their ids declares.
#[derive(Debug, serde::Deserialize, PartialEq)]
struct IdOnly {
    id: String,
}

#[tokio::test]
async fn items_as_walks_the_pages_into_stream_walks() {
    let server = wire::server().await;
    serve(&server, "/users", users(5), false).await;
    let clerk = wire::client(&server);
    let list = clerk_backend::api::users::ListUsers::new().limit(2);
    let typed: Vec<String> = clerk_backend::pagination::items(clerk.clone(), list.clone())
        .map_ok(|u| u.id)
        .try_collect()
        .await
        .unwrap();
    let typed_pages = pages_requested(&server).await;
    server.reset().await;
    serve(&server, "/users", users(5), false).await;

    let projected: Vec<IdOnly> =
        clerk_backend::pagination::items_as::<IdOnly, _>(clerk.clone(), list)
            .try_collect()
            .await
            .unwrap();
    let ids: Vec<String> = projected.into_iter().map(|r| r.id).collect();
    assert_eq!(ids, typed);
    assert_eq!(ids, ["user_0", "user_1", "user_2", "user_3", "user_4"]);
    assert_eq!(pages_requested(&server).await, typed_pages);
}

#[tokio::test]
async fn pages_as_reads_both_list_shapes_and_stops_at_total_count() {
    for wrapped in [false, true] {
        let server = wire::server().await;
        serve(&server, "/organizations", organizations(5), wrapped).await;
        let clerk = wire::client(&server);
        let list = clerk_backend::api::organizations::ListOrganizations::new().limit(2);
        let pages: Vec<_> = clerk_backend::pagination::pages_as::<IdOnly, _>(clerk, list)
            .try_collect()
            .await
            .unwrap();
        let sizes: Vec<(usize, Option<i64>)> =
            pages.iter().map(|p| (p.len(), p.total_count)).collect();
        let total = wrapped.then_some(5);
        assert_eq!(
            sizes,
            [(2, total), (2, total), (1, total)],
            "wrapped: {wrapped}"
        );
        assert_eq!(pages[2][0].id, "org_4");
    }
}

#[tokio::test]
async fn items_as_yields_a_decode_error_once_then_ends() {
    let server = wire::server().await;
    let mut items = users(3);
    items[2]["id"] = json!(null);
    serve(&server, "/users", items, false).await;
    let clerk = wire::client(&server);
    let list = clerk_backend::api::users::ListUsers::new().limit(2);
    let got: Vec<_> = clerk_backend::pagination::items_as::<IdOnly, _>(clerk, list)
        .collect()
        .await;
    assert_eq!(got.len(), 3, "{got:?}");
    assert_eq!(got[0].as_ref().unwrap().id, "user_0");
    assert_eq!(got[1].as_ref().unwrap().id, "user_1");
    let Err(Error::Decode(d)) = &got[2] else {
        panic!("expected a decode error, got {:?}", got[2])
    };
    assert_eq!(d.path, "[0].id");
    assert!(d.target.contains("IdOnly"), "{}", d.target);
}
