//! File uploads for the multipart operations: from a path (streamed), bytes, or a stream.

use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use futures_core::Stream;
use futures_util::StreamExt as _;
use reqwest::multipart::{Form, Part};

use crate::error::{Error, Result};

type ByteStream = std::pin::Pin<Box<dyn Stream<Item = std::io::Result<Bytes>> + Send + Sync>>;
/// A stream and its length, taken by the first attempt that sends it.
type StreamCell = Arc<Mutex<Option<(ByteStream, Option<u64>)>>>;

/// A file to upload.
///
/// A path is opened and streamed when the request is sent (never read whole into memory) and
/// can be re-sent on retry; bytes are cheap to clone; a stream can be sent only once.
#[derive(Clone)]
pub struct Upload {
    source: Source,
    file_name: Option<String>,
    mime: Option<String>,
}

#[derive(Clone)]
enum Source {
    Path(PathBuf),
    Bytes(Bytes),
    Stream(StreamCell),
}

impl fmt::Debug for Upload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let source = match &self.source {
            Source::Path(p) => format!("path {}", p.display()),
            Source::Bytes(b) => format!("{} bytes", b.len()),
            Source::Stream(_) => "stream".to_owned(),
        };
        f.debug_struct("Upload")
            .field("source", &source)
            .field("file_name", &self.file_name)
            .field("mime", &self.mime)
            .finish()
    }
}

impl Upload {
    /// Stream the file at `path` when the request is sent.
    pub fn from_path(path: impl Into<PathBuf>) -> Self {
        let path = path.into();
        let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        Upload {
            source: Source::Path(path),
            file_name,
            mime: None,
        }
    }

    /// Upload bytes already in memory.
    pub fn from_bytes(bytes: impl Into<Bytes>) -> Self {
        Upload {
            source: Source::Bytes(bytes.into()),
            file_name: None,
            mime: None,
        }
    }

    /// Upload from a stream of chunks; `len` is sent as the part's length when known.
    /// A stream can be sent once: a retry of the call fails with [`Error::InvalidRequest`].
    pub fn from_stream<S>(stream: S, len: Option<u64>) -> Self
    where
        S: Stream<Item = std::io::Result<Bytes>> + Send + Sync + 'static,
    {
        Upload {
            source: Source::Stream(Arc::new(Mutex::new(Some((Box::pin(stream), len))))),
            file_name: None,
            mime: None,
        }
    }

    /// File name sent in the part's `Content-Disposition` (default: the path's file name, else `file`).
    #[must_use]
    pub fn file_name(mut self, name: impl Into<String>) -> Self {
        self.file_name = Some(name.into());
        self
    }

    /// MIME type of the part (default: guessed from the file name, else `application/octet-stream`).
    #[must_use]
    pub fn mime(mut self, mime: impl Into<String>) -> Self {
        self.mime = Some(mime.into());
        self
    }

    /// The file name sent in the part's `Content-Disposition`.
    #[must_use]
    pub fn part_file_name(&self) -> &str {
        self.file_name.as_deref().unwrap_or("file")
    }

    /// The part's MIME type.
    #[must_use]
    pub fn part_mime(&self) -> &str {
        self.mime
            .as_deref()
            .unwrap_or_else(|| guess_mime(self.part_file_name()))
    }

    /// Open the upload for sending: its chunks and, when known, its length. For
    /// [`Transport`](super::Transport) implementations that encode the multipart body
    /// themselves.
    ///
    /// # Errors
    /// [`Error::InvalidRequest`] when the file cannot be opened or is a directory, or when a
    /// stream upload was already sent.
    pub async fn open(&self) -> Result<UploadStream> {
        let (stream, len): (ByteStream, Option<u64>) = match &self.source {
            Source::Path(path) => {
                let (file, len) = open_file(path).await?;
                (Box::pin(tokio_util::io::ReaderStream::new(file)), len)
            }
            Source::Bytes(b) => {
                let b = b.clone();
                let len = b.len() as u64;
                (
                    Box::pin(futures_util::stream::once(async move { Ok(b) })),
                    Some(len),
                )
            }
            Source::Stream(cell) => take_stream(cell)?,
        };
        Ok(UploadStream { stream, len })
    }

    pub(crate) async fn to_form(&self, field: &'static str) -> Result<Form> {
        let part = match &self.source {
            Source::Path(path) => {
                let (file, len) = open_file(path).await?;
                let stream = tokio_util::io::ReaderStream::new(file);
                let body = reqwest::Body::wrap_stream(stream);
                match len {
                    Some(n) => Part::stream_with_length(body, n),
                    None => Part::stream(body),
                }
            }
            Source::Bytes(b) => Part::stream_with_length(b.clone(), b.len() as u64),
            Source::Stream(cell) => {
                let (stream, len) = take_stream(cell)?;
                let body = reqwest::Body::wrap_stream(stream.map(|r| r));
                match len {
                    Some(n) => Part::stream_with_length(body, n),
                    None => Part::stream(body),
                }
            }
        };
        let name = self.file_name.clone().unwrap_or_else(|| "file".to_owned());
        let mime = self
            .mime
            .clone()
            .unwrap_or_else(|| guess_mime(&name).to_owned());
        let part = part
            .file_name(name)
            .mime_str(&mime)
            .map_err(|e| Error::InvalidRequest(format!("invalid upload MIME type: {e}")))?;
        Ok(Form::new().part(field, part))
    }
}

/// An opened [`Upload`]: a stream of chunks and, when known, its length.
pub struct UploadStream {
    stream: ByteStream,
    len: Option<u64>,
}

impl fmt::Debug for UploadStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UploadStream")
            .field("len", &self.len)
            .finish_non_exhaustive()
    }
}

impl UploadStream {
    /// The length in bytes, when known (a file's size, the bytes' length, a stream's hint).
    #[must_use]
    pub fn known_len(&self) -> Option<u64> {
        self.len
    }

    /// Read every chunk into one buffer, failing past `max` bytes.
    ///
    /// # Errors
    /// [`Error::InvalidRequest`] on a read error or when the upload is longer than `max`.
    pub async fn read_all(mut self, max: u64) -> Result<Bytes> {
        let mut out = Vec::new();
        while let Some(chunk) = self.stream.next().await {
            let chunk =
                chunk.map_err(|e| Error::InvalidRequest(format!("cannot read upload: {e}")))?;
            if (out.len() + chunk.len()) as u64 > max {
                return Err(Error::InvalidRequest(format!(
                    "the upload is longer than {max} bytes"
                )));
            }
            out.extend_from_slice(&chunk);
        }
        Ok(Bytes::from(out))
    }
}

impl Stream for UploadStream {
    type Item = std::io::Result<Bytes>;
    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        self.stream.as_mut().poll_next(cx)
    }
}

async fn open_file(path: &std::path::Path) -> Result<(tokio::fs::File, Option<u64>)> {
    let file = tokio::fs::File::open(path).await.map_err(|e| {
        Error::InvalidRequest(format!("cannot open upload {}: {e}", path.display()))
    })?;
    let meta = file.metadata().await.ok();
    // Opening a directory succeeds on Unix; reading it would fail mid-request.
    if meta.as_ref().is_some_and(std::fs::Metadata::is_dir) {
        return Err(Error::InvalidRequest(format!(
            "cannot upload {}: it is a directory",
            path.display()
        )));
    }
    // Only a regular file's size is its length (a FIFO reports 0).
    Ok((
        file,
        meta.filter(std::fs::Metadata::is_file).map(|m| m.len()),
    ))
}

fn take_stream(cell: &StreamCell) -> Result<(ByteStream, Option<u64>)> {
    cell.lock()
        .map_err(|_| Error::Unexpected("upload stream lock poisoned".into()))?
        .take()
        .ok_or_else(|| Error::InvalidRequest("an upload stream can be sent only once".into()))
}

fn guess_mime(name: &str) -> &'static str {
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    match ext.as_deref() {
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("svg") => "image/svg+xml",
        Some("ico") => "image/x-icon",
        _ => "application/octet-stream",
    }
}
