//! Shared test support: a scripted HTTP/1.1 server on 127.0.0.1 and test-only operations.
//!
//! The server is a plain `TcpListener` with hand-written responses, so a test can answer with
//! exactly the bytes it wants: truncated bodies, resets (RST via `SO_LINGER 0`) after reading
//! the request or halfway through the response, or no answer at all.

#![allow(dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use clerk_backend::pipeline::{ApiRequest, Operation, OperationInfo, RequestOptions, decode_json};
use clerk_backend::transport::{Body, RawResponse};
use clerk_backend::{Clerk, ClerkBuilder, Result, RetryConfig, Upload};
use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// The secret key every test client uses; no log line or `Debug` output may contain it.
pub const SECRET: &str = "sk_test_TOPSECRETvalue0123456789abcdef";

/// A request as the server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// What the server does with one request.
pub enum Reply {
    /// Write these bytes and keep the connection open for the next request.
    Bytes(Vec<u8>),
    /// Write these bytes, then close the connection cleanly.
    Close(Vec<u8>),
    /// Write these bytes (possibly none), then reset the connection (RST).
    Reset(Vec<u8>),
    /// Never answer; hold the connection until the client gives up.
    Hang,
}

type Script = dyn Fn(&Seen, usize) -> Reply + Send + Sync;

/// A scripted server. `script(request, index)` decides each answer; `index` counts requests
/// from 0 across all connections.
pub struct Server {
    pub addr: std::net::SocketAddr,
    count: Arc<AtomicUsize>,
    seen: Arc<Mutex<Vec<Seen>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Server {
    pub async fn start(script: impl Fn(&Seen, usize) -> Reply + Send + Sync + 'static) -> Server {
        Server::start_with(script, true).await
    }

    /// Like `start`; with `record == false` requests are counted but not stored (soak tests).
    pub async fn start_with(
        script: impl Fn(&Seen, usize) -> Reply + Send + Sync + 'static,
        record: bool,
    ) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let count = Arc::new(AtomicUsize::new(0));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let script: Arc<Script> = Arc::new(script);
        let task = {
            let (count, seen) = (count.clone(), seen.clone());
            tokio::spawn(async move {
                loop {
                    let Ok((stream, _)) = listener.accept().await else {
                        continue;
                    };
                    let (count, seen, script) = (count.clone(), seen.clone(), script.clone());
                    tokio::spawn(async move {
                        let _ = serve(stream, &count, &seen, &*script, record).await;
                    });
                }
            })
        };
        Server {
            addr,
            count,
            seen,
            task,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// Requests received so far.
    pub fn count(&self) -> usize {
        self.count.load(Ordering::SeqCst)
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

async fn serve(
    stream: TcpStream,
    count: &AtomicUsize,
    seen: &Mutex<Vec<Seen>>,
    script: &Script,
    record: bool,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream);
    loop {
        let Some(req) = read_request(&mut reader).await? else {
            return Ok(());
        };
        let index = count.fetch_add(1, Ordering::SeqCst);
        let reply = script(&req, index);
        if record {
            seen.lock().unwrap().push(req);
        }
        let stream = reader.get_mut();
        match reply {
            Reply::Bytes(b) => stream.write_all(&b).await?,
            Reply::Close(b) => {
                stream.write_all(&b).await?;
                stream.shutdown().await?;
                return Ok(());
            }
            Reply::Reset(b) => {
                if !b.is_empty() {
                    stream.write_all(&b).await?;
                    stream.flush().await?;
                    // let the client start reading the partial response
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
                stream.set_zero_linger()?;
                return Ok(()); // dropping with SO_LINGER 0 sends RST
            }
            Reply::Hang => {
                // Hold the connection (and ignore further bytes) until the client closes it.
                let mut sink = [0u8; 1024];
                while reader.read(&mut sink).await? > 0 {}
                return Ok(());
            }
        }
    }
}

async fn read_request(reader: &mut BufReader<TcpStream>) -> std::io::Result<Option<Seen>> {
    let mut line = String::new();
    if reader.read_line(&mut line).await? == 0 {
        return Ok(None);
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_owned();
    let path = parts.next().unwrap_or_default().to_owned();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).await? == 0 {
            return Ok(None);
        }
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((n, v)) = h.split_once(':') {
            headers.push((n.trim().to_ascii_lowercase(), v.trim().to_owned()));
        }
    }
    let get = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    let mut body = Vec::new();
    if let Some(len) = get("content-length").and_then(|v| v.parse::<usize>().ok()) {
        body.resize(len, 0);
        reader.read_exact(&mut body).await?;
    } else if get("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size).await?;
            let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
            let mut chunk = vec![0; n + 2];
            reader.read_exact(&mut chunk).await?;
            if n == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..n]);
        }
    }
    Ok(Some(Seen {
        method,
        path,
        headers,
        body,
    }))
}

/// An HTTP/1.1 response with a correct `Content-Length`.
pub fn response(status: u16, headers: &[(&str, &str)], body: &str) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status} X\r\ncontent-length: {}\r\n", body.len());
    for (n, v) in headers {
        out.push_str(&format!("{n}: {v}\r\n"));
    }
    out.push_str("\r\n");
    out.push_str(body);
    out.into_bytes()
}

pub fn json(status: u16, body: &str) -> Reply {
    Reply::Bytes(response(
        status,
        &[("content-type", "application/json")],
        body,
    ))
}

pub fn ok() -> Reply {
    json(200, r#"{"id":"thing_1","object":"thing"}"#)
}

pub fn clerk_error(status: u16) -> Reply {
    json(
        status,
        r#"{"errors":[{"code":"server_error","message":"try again"}],"clerk_trace_id":"trace_abc"}"#,
    )
}

/// A fast policy for tests: 5 ms, ×1.5, ≤ 50 ms apart, ≤ 10 s, ≤ 5 attempts.
pub fn fast() -> RetryConfig {
    RetryConfig::backoff(
        Duration::from_millis(5),
        Duration::from_millis(50),
        1.5,
        Duration::from_secs(10),
    )
    .max_attempts(5)
}

pub fn builder(server_url: &str) -> ClerkBuilder {
    Clerk::builder().secret_key(SECRET).server_url(server_url)
}

pub fn client(server: &Server, retry: RetryConfig) -> Clerk {
    builder(&server.url()).retry(retry).build().expect("client")
}

pub static GET_INFO: OperationInfo =
    OperationInfo::new("things", "get", "GetThing", "GET", "/things/{thing_id}");
pub static POST_INFO: OperationInfo =
    OperationInfo::new("things", "create", "CreateThing", "POST", "/things");
pub static UPLOAD_INFO: OperationInfo = OperationInfo::new(
    "things",
    "upload",
    "UploadThing",
    "POST",
    "/things/{id}/file",
);

/// `GET /things/{id}` → JSON.
pub struct GetThing {
    pub id: String,
    pub options: RequestOptions,
}

/// `POST /things` with a JSON body → JSON.
pub struct CreateThing {
    pub body: serde_json::Value,
    pub options: RequestOptions,
}

/// `POST /things/x/file` multipart.
pub struct UploadThing {
    pub file: Upload,
    pub options: RequestOptions,
}

pub fn get(id: &str) -> GetThing {
    GetThing {
        id: id.to_owned(),
        options: RequestOptions::default(),
    }
}

pub fn create(body: serde_json::Value) -> CreateThing {
    CreateThing {
        body,
        options: RequestOptions::default(),
    }
}

macro_rules! options {
    ($t:ty) => {
        impl $t {
            pub fn with_timeout(mut self, t: Duration) -> Self {
                self.options.timeout = Some(t);
                self
            }
            pub fn with_deadline(mut self, t: Duration) -> Self {
                self.options.deadline = Some(t);
                self
            }
            pub fn with_retry(mut self, r: RetryConfig) -> Self {
                self.options.retry = Some(r);
                self
            }
            pub fn with_header(mut self, name: &'static str, value: &'static str) -> Self {
                self.options.headers.push((
                    http::HeaderName::from_static(name),
                    http::HeaderValue::from_static(value),
                ));
                self
            }
        }
    };
}
options!(GetThing);
options!(CreateThing);
options!(UploadThing);

impl Operation for GetThing {
    type Output = serde_json::Value;
    const INFO: &'static OperationInfo = &GET_INFO;
    fn build(self) -> Result<ApiRequest> {
        Ok(ApiRequest::new(Self::INFO, format!("/things/{}", self.id)).with_options(self.options))
    }
    fn decode(response: RawResponse) -> Result<Self::Output> {
        decode_json(response)
    }
}

impl Operation for CreateThing {
    type Output = serde_json::Value;
    const INFO: &'static OperationInfo = &POST_INFO;
    fn build(self) -> Result<ApiRequest> {
        Ok(ApiRequest::new(Self::INFO, "/things")
            .with_body(clerk_backend::pipeline::json_body(&self.body)?)
            .with_options(self.options))
    }
    fn decode(response: RawResponse) -> Result<Self::Output> {
        decode_json(response)
    }
}

impl Operation for UploadThing {
    type Output = serde_json::Value;
    const INFO: &'static OperationInfo = &UPLOAD_INFO;
    fn build(self) -> Result<ApiRequest> {
        Ok(ApiRequest::new(Self::INFO, "/things/x/file")
            .with_body(Body::Multipart {
                field: "file",
                file: self.file,
                text: Vec::new(),
            })
            .with_options(self.options))
    }
    fn decode(response: RawResponse) -> Result<Self::Output> {
        decode_json(response)
    }
}

pub fn bytes(s: &'static str) -> Bytes {
    Bytes::from_static(s.as_bytes())
}
