//! Multipart uploads: from a path (streamed), bytes and a stream; text fields; validation.

use std::path::{Path, PathBuf};

use bytes::Bytes;
use clerk_backend::{Error, Upload};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::wire::{self, fixture_text, only_request, requests};

/// A file in a fresh per-test directory under the system temp dir, removed on drop.
struct TempFile {
    dir: PathBuf,
    path: PathBuf,
}

impl TempFile {
    fn new(test: &str, name: &str) -> TempFile {
        let dir = std::env::temp_dir().join(format!(
            "clerk-backend-uploads-{}-{test}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        TempFile { dir, path }
    }

    fn with(test: &str, name: &str, contents: &[u8]) -> TempFile {
        let f = TempFile::new(test, name);
        std::fs::write(&f.path, contents).unwrap();
        f
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// One part of a `multipart/form-data` body.
#[derive(Debug)]
struct Part {
    name: String,
    file_name: Option<String>,
    content_type: Option<String>,
    data: Vec<u8>,
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// A small, strict multipart parser: enough to check what the SDK sent.
fn parts(request: &Request) -> Vec<Part> {
    let ct = wire::header(request, "content-type").expect("a content type");
    let boundary = ct
        .strip_prefix("multipart/form-data; boundary=")
        .unwrap_or_else(|| panic!("not multipart/form-data: {ct}"));
    let delimiter = format!("--{boundary}");
    let body = &request.body;
    let mut out = Vec::new();
    let mut at = find(body, delimiter.as_bytes(), 0).expect("first boundary");
    loop {
        at += delimiter.len();
        if body[at..].starts_with(b"--") {
            break;
        }
        assert!(
            body[at..].starts_with(b"\r\n"),
            "boundary not followed by CRLF"
        );
        at += 2;
        let head_end = find(body, b"\r\n\r\n", at).expect("part headers end");
        let head = std::str::from_utf8(&body[at..head_end]).unwrap();
        let data_start = head_end + 4;
        let next =
            find(body, format!("\r\n{delimiter}").as_bytes(), data_start).expect("next boundary");
        let mut part = Part {
            name: String::new(),
            file_name: None,
            content_type: None,
            data: body[data_start..next].to_vec(),
        };
        for line in head.split("\r\n") {
            let (k, v) = line.split_once(": ").expect("header line");
            match k.to_ascii_lowercase().as_str() {
                "content-disposition" => {
                    for attr in v.split("; ").skip(1) {
                        let (ak, av) = attr.split_once('=').unwrap();
                        let av = av.trim_matches('"').to_owned();
                        match ak {
                            "name" => part.name = av,
                            "filename" => part.file_name = Some(av),
                            _ => {}
                        }
                    }
                }
                "content-type" => part.content_type = Some(v.to_owned()),
                _ => {}
            }
        }
        out.push(part);
        at = next + 2;
    }
    out
}

async fn accept_profile_image(server: &MockServer) {
    Mock::given(method("POST"))
        .and(path("/users/user_1/profile_image"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(fixture_text("user_full.json"), "application/json"),
        )
        .mount(server)
        .await;
}

/// Deterministic, non-repeating-looking bytes.
fn pattern(len: usize) -> Vec<u8> {
    let mut x: u32 = 0x9E37_79B9;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x.to_le_bytes()[0]
        })
        .collect()
}

const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

#[tokio::test]
async fn from_path_sends_the_file_bytes_and_name() {
    let file = TempFile::with("from_path", "avatar.png", PNG);
    let server = wire::server().await;
    accept_profile_image(&server).await;
    let clerk = wire::client(&server);
    let user = clerk
        .users()
        .set_profile_image("user_1")
        .file(Upload::from_path(&file.path))
        .send()
        .await
        .unwrap();
    assert!(user.has_image);
    let req = only_request(&server).await;
    assert_eq!(req.method.as_str(), "POST");
    let parts = parts(&req);
    assert_eq!(parts.len(), 1, "{parts:?}");
    assert_eq!(parts[0].name, "file");
    assert_eq!(parts[0].file_name.as_deref(), Some("avatar.png"));
    assert_eq!(parts[0].content_type.as_deref(), Some("image/png"));
    assert_eq!(parts[0].data, PNG);
}

#[tokio::test]
async fn from_path_reads_the_file_when_sent_not_when_built() {
    // The upload holds the path, not the contents: it can be built before the file exists.
    let file = TempFile::new("lazy", "late.jpg");
    let upload = Upload::from_path(&file.path);
    std::fs::write(&file.path, b"written after Upload::from_path").unwrap();
    let server = wire::server().await;
    accept_profile_image(&server).await;
    let clerk = wire::client(&server);
    clerk
        .users()
        .set_profile_image("user_1")
        .file(upload)
        .send()
        .await
        .unwrap();
    let parts = parts(&only_request(&server).await);
    assert_eq!(parts[0].data, b"written after Upload::from_path");
    assert_eq!(parts[0].content_type.as_deref(), Some("image/jpeg"));
}

#[tokio::test]
async fn large_file_from_path_uploads_intact() {
    const SIZE: usize = 8 * 1024 * 1024;
    let contents = pattern(SIZE);
    let file = TempFile::with("large", "big.bin", &contents);
    let server = wire::server().await;
    accept_profile_image(&server).await;
    let clerk = wire::client(&server);
    clerk
        .users()
        .set_profile_image("user_1")
        .file(Upload::from_path(&file.path))
        .send()
        .await
        .unwrap();
    let req = only_request(&server).await;
    let parts = parts(&req);
    assert_eq!(parts[0].file_name.as_deref(), Some("big.bin"));
    assert_eq!(
        parts[0].content_type.as_deref(),
        Some("application/octet-stream")
    );
    assert_eq!(parts[0].data.len(), SIZE);
    assert!(parts[0].data == contents, "8 MiB upload differs");
    // The length is known up front (file metadata), so the body is not chunked.
    let len: usize = wire::header(&req, "content-length")
        .expect("a content-length")
        .parse()
        .unwrap();
    assert_eq!(len, req.body.len());
}

#[tokio::test]
async fn from_bytes_with_defaults_and_with_a_name_and_type() {
    let server = wire::server().await;
    accept_profile_image(&server).await;
    let clerk = wire::client(&server);
    clerk
        .users()
        .set_profile_image("user_1")
        .file(Upload::from_bytes(&b"raw bytes"[..]))
        .send()
        .await
        .unwrap();
    clerk
        .users()
        .set_profile_image("user_1")
        .file(
            Upload::from_bytes(PNG.to_vec())
                .file_name("me.gif")
                .mime("image/webp"),
        )
        .send()
        .await
        .unwrap();
    let reqs = requests(&server).await;
    let first = parts(&reqs[0]);
    assert_eq!(first[0].file_name.as_deref(), Some("file"));
    assert_eq!(
        first[0].content_type.as_deref(),
        Some("application/octet-stream")
    );
    assert_eq!(first[0].data, b"raw bytes");
    let second = parts(&reqs[1]);
    assert_eq!(second[0].file_name.as_deref(), Some("me.gif"));
    // An explicit MIME type beats the guess from the name.
    assert_eq!(second[0].content_type.as_deref(), Some("image/webp"));
    assert_eq!(second[0].data, PNG);
}

#[tokio::test]
async fn from_stream_with_and_without_a_length() {
    let server = wire::server().await;
    accept_profile_image(&server).await;
    let clerk = wire::client(&server);
    let chunks = || {
        futures_util::stream::iter(
            ["chunk-one|", "chunk-two|", "chunk-three"]
                .map(|c| Ok::<_, std::io::Error>(Bytes::from_static(c.as_bytes()))),
        )
    };
    let expected = b"chunk-one|chunk-two|chunk-three";
    clerk
        .users()
        .set_profile_image("user_1")
        .file(Upload::from_stream(chunks(), Some(expected.len() as u64)).file_name("s.png"))
        .send()
        .await
        .unwrap();
    clerk
        .users()
        .set_profile_image("user_1")
        .file(Upload::from_stream(chunks(), None))
        .send()
        .await
        .unwrap();
    let reqs = requests(&server).await;
    assert_eq!(reqs.len(), 2);
    let with_len = parts(&reqs[0]);
    assert_eq!(with_len[0].file_name.as_deref(), Some("s.png"));
    assert_eq!(with_len[0].content_type.as_deref(), Some("image/png"));
    assert_eq!(with_len[0].data, expected);
    assert_eq!(parts(&reqs[1])[0].data, expected);
}

#[tokio::test]
async fn a_stream_upload_can_be_sent_only_once() {
    let server = wire::server().await;
    accept_profile_image(&server).await;
    let clerk = wire::client(&server);
    let upload = Upload::from_stream(
        futures_util::stream::iter([Ok::<_, std::io::Error>(Bytes::from_static(b"once"))]),
        None,
    );
    clerk
        .users()
        .set_profile_image("user_1")
        .file(upload.clone())
        .send()
        .await
        .unwrap();
    let err = clerk
        .users()
        .set_profile_image("user_1")
        .file(upload)
        .send()
        .await
        .unwrap_err();
    match &err {
        Error::InvalidRequest(m) => assert!(m.contains("only once"), "{m}"),
        other => panic!("expected InvalidRequest, got {other:?}"),
    }
    assert_eq!(requests(&server).await.len(), 1);
}

#[tokio::test]
async fn upload_logo_sends_the_uploader_user_id_field() {
    let file = TempFile::with(
        "logo",
        "logo.svg",
        b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    );
    let server = wire::server().await;
    Mock::given(method("PUT"))
        .and(path("/organizations/org_1/logo"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "object": "organization",
            "id": "org_1",
            "name": "Acme",
            "slug": "acme",
            "image_url": "https://img.clerk.com/acme",
            "has_image": true,
            "max_allowed_memberships": 5,
            "admin_delete_enabled": true,
            "public_metadata": {},
            "created_at": 1,
            "updated_at": 2,
            "logo_url": "https://img.clerk.com/acme-logo"
        })))
        .expect(1)
        .mount(&server)
        .await;
    let clerk = wire::client(&server);
    let org = clerk
        .organizations()
        .upload_logo("org_1")
        .file(Upload::from_path(&file.path))
        .uploader_user_id("user_42")
        .send()
        .await
        .unwrap();
    assert_eq!(
        org.logo_url.as_deref(),
        Some("https://img.clerk.com/acme-logo")
    );
    let parts = parts(&only_request(&server).await);
    assert_eq!(parts.len(), 2, "{parts:?}");
    let file_part = parts.iter().find(|p| p.name == "file").expect("file part");
    assert_eq!(file_part.file_name.as_deref(), Some("logo.svg"));
    assert_eq!(file_part.content_type.as_deref(), Some("image/svg+xml"));
    assert_eq!(
        file_part.data,
        b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>"
    );
    let text = parts
        .iter()
        .find(|p| p.name == "uploader_user_id")
        .expect("uploader_user_id part");
    assert_eq!(text.file_name, None);
    assert_eq!(text.data, b"user_42");
}

#[tokio::test]
async fn missing_file_fails_before_any_io() {
    let server = wire::server().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    let clerk = wire::client(&server);
    let err = clerk
        .users()
        .set_profile_image("user_1")
        .send()
        .await
        .unwrap_err();
    match &err {
        Error::InvalidRequest(m) => assert_eq!(
            m,
            "users.set_profile_image: required field `file` is not set"
        ),
        other => panic!("expected InvalidRequest, got {other:?}"),
    }
    let err = clerk
        .organizations()
        .upload_logo("org_1")
        .uploader_user_id("user_42")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidRequest(m) if m.contains("`file`")),
        "{err:?}"
    );
    assert!(requests(&server).await.is_empty());
}

#[tokio::test]
async fn nonexistent_path_fails_naming_the_path_before_any_io() {
    let server = wire::server().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    let clerk = wire::client(&server);
    let missing: &Path = Path::new("/nonexistent/clerk-backend-test/avatar.png");
    let err = clerk
        .users()
        .set_profile_image("user_1")
        .file(Upload::from_path(missing))
        .send()
        .await
        .unwrap_err();
    match &err {
        Error::InvalidRequest(m) => {
            assert!(
                m.contains("/nonexistent/clerk-backend-test/avatar.png"),
                "{m}"
            );
        }
        other => panic!("expected InvalidRequest, got {other:?}"),
    }
    assert!(requests(&server).await.is_empty());
}

#[tokio::test]
async fn a_directory_is_not_an_uploadable_file() {
    let dir = TempFile::new("directory", "unused");
    let server = wire::server().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    let clerk = wire::client(&server);
    let err = clerk
        .users()
        .set_profile_image("user_1")
        .file(Upload::from_path(&dir.dir))
        .send()
        .await
        .unwrap_err();
    match &err {
        Error::InvalidRequest(m) => {
            assert!(m.contains(&*dir.dir.to_string_lossy()), "{m}");
            assert!(m.contains("it is a directory"), "{m}");
        }
        other => panic!("expected InvalidRequest, got {other:?}"),
    }
    assert!(requests(&server).await.is_empty());
}

/// A FIFO reports size 0: its contents must be streamed with an unknown length, not
/// declared empty.
#[cfg(unix)]
#[tokio::test]
async fn from_path_streams_a_fifo_of_unknown_length() {
    let fifo = TempFile::new("fifo", "pipe.png");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo.path)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let contents = pattern(100_000);
    let writer = {
        let path = fifo.path.clone();
        let contents = contents.clone();
        // Opening a FIFO for writing blocks until the upload opens it for reading.
        std::thread::spawn(move || std::fs::write(path, contents))
    };
    let server = wire::server().await;
    accept_profile_image(&server).await;
    let clerk = wire::client(&server);
    let sent = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        clerk
            .users()
            .set_profile_image("user_1")
            .file(Upload::from_path(&fifo.path))
            .send(),
    )
    .await
    .expect("upload finishes");
    sent.unwrap();
    writer.join().unwrap().unwrap();
    let parts = parts(&only_request(&server).await);
    assert_eq!(parts[0].file_name.as_deref(), Some("pipe.png"));
    assert!(parts[0].data == contents, "FIFO contents differ");
}
