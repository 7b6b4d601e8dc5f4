//! Streams over limit/offset list operations, and the page type of lists that may come wrapped.
//!
//! Every list operation with `limit` and `offset` has `.into_stream()`, yielding items one by one
//! and fetching the next page only when the current one is used up, and `.into_pages()`, yielding
//! each [`Page`] with the `total_count` the API reports. The streams stop when `total_count` says
//! nothing remains, or, for lists without a count, at the first short page.
//! [`pages_as`] and [`items_as`] walk the same pages decoded as a type of your own (one that
//! declares only the fields you read, as with [`Clerk::call_as`]).
//!
//! ```no_run
//! # async fn run(clerk: clerk_backend::Clerk) -> clerk_backend::Result<()> {
//! use futures_util::TryStreamExt as _;
//!
//! let mut pages = clerk.users().list().limit(100).into_pages();
//! while let Some(page) = pages.try_next().await? {
//!     println!("{} users on this page", page.len());
//! }
//! # Ok(())
//! # }
//! ```

use std::collections::VecDeque;
use std::fmt;
use std::marker::PhantomData;

pub use futures_core::Stream;
use futures_util::StreamExt as _;
use serde::Deserialize as _;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::client::Clerk;
use crate::error::{Error, Result};
use crate::pipeline::{Operation, OperationInfo, decode_json};
use crate::transport::RawResponse;

/// One page of a list: its items and, when the API reports it, how many items the whole list has.
///
/// Lists that answer either a bare array or, with `paginated=true`, `{data, total_count}` decode
/// into this type from both shapes. It dereferences to a slice of its items.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[non_exhaustive]
pub struct Page<T> {
    /// The items on this page.
    pub data: Vec<T>,
    /// Items in the whole list, when the API reports it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_count: Option<i64>,
}

impl<T> Page<T> {
    /// A page of `data`, with the list's `total_count` when known.
    #[must_use]
    pub fn new(data: Vec<T>, total_count: Option<i64>) -> Self {
        Page { data, total_count }
    }

    /// The items, dropping the count.
    #[must_use]
    pub fn into_vec(self) -> Vec<T> {
        self.data
    }
}

impl<T> Default for Page<T> {
    fn default() -> Self {
        Page::new(Vec::new(), None)
    }
}

impl<T> std::ops::Deref for Page<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &self.data
    }
}

impl<T> IntoIterator for Page<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.data.into_iter()
    }
}

impl<'a, T> IntoIterator for &'a Page<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.data.iter()
    }
}

impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for Page<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        d.deserialize_any(PageVisitor(PhantomData))
    }
}

struct PageVisitor<T>(PhantomData<T>);

impl<'de, T: serde::Deserialize<'de>> Visitor<'de> for PageVisitor<T> {
    type Value = Page<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list, or an object with `data` and `total_count`")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> std::result::Result<Page<T>, A::Error> {
        let data = Vec::<T>::deserialize(de::value::SeqAccessDeserializer::new(seq))?;
        Ok(Page::new(data, None))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Page<T>, A::Error> {
        let mut data = None;
        let mut total = None;
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match &*key {
                "data" => data = Some(map.next_value::<Vec<T>>()?),
                "total_count" => total = map.next_value::<Option<f64>>()?,
                _ => {
                    map.next_value::<de::IgnoredAny>()?;
                }
            }
        }
        let data = data.ok_or_else(|| de::Error::missing_field("data"))?;
        // `total_count` is declared as a number in places; counts are whole.
        #[allow(clippy::cast_possible_truncation)]
        Ok(Page::new(data, total.map(|t| t as i64)))
    }
}

/// The API's largest page (`limit`'s `maximum` in the spec).
pub const MAX_LIMIT: i64 = 500;

/// A list operation that pages with `limit` and `offset`. Implemented by generated requests.
pub trait Paginated: Operation + Clone + 'static {
    /// One element of a page.
    type Item: Send + 'static;
    /// The current offset (0 when unset).
    fn offset(&self) -> i64;
    /// Set the offset of the next page.
    fn set_offset(&mut self, offset: i64);
    /// The page size (the API default when unset).
    fn limit(&self) -> i64;
    /// Split a response into its items and, when the API reports it, the total count.
    fn into_items(output: Self::Output) -> (Vec<Self::Item>, Option<i64>);
}

/// Where a walk over the pages stands.
struct Cursor<O> {
    clerk: Clerk,
    next: Option<O>,
}

impl<O: Paginated> Cursor<O> {
    /// Fetch the next page and split it with `split`; `None` once the list is exhausted or
    /// after an error.
    async fn next_page<T>(
        &mut self,
        split: impl FnOnce(RawResponse) -> Result<(Vec<T>, Option<i64>)>,
    ) -> Option<Result<Page<T>>> {
        let op = self.next.take()?;
        let offset = op.offset();
        let limit = op.limit().max(1);
        let request = op.clone().build();
        let page = async { split(self.clerk.execute(request?).await?) };
        let (items, total) = match page.await {
            Ok(page) => page,
            // Surface the error once, then end the stream.
            Err(e) => return Some(Err(e)),
        };
        let fetched = i64::try_from(items.len()).unwrap_or(i64::MAX);
        let next_offset = offset.saturating_add(fetched);
        // With a count, it decides (a short page does not end a list that says more remain);
        // without one, a short page is the last.
        let more = match total {
            Some(t) => fetched > 0 && next_offset < t,
            None => fetched >= limit,
        };
        if more {
            let mut next = op;
            next.set_offset(next_offset);
            self.next = Some(next);
        }
        Some(Ok(Page::new(items, total)))
    }
}

/// How a response becomes a page's items and count.
type Split<T> = fn(RawResponse) -> Result<(Vec<T>, Option<i64>)>;

/// Pages decoded as the operation's model.
fn model<O: Paginated>(response: RawResponse) -> Result<(Vec<O::Item>, Option<i64>)> {
    O::decode(response).map(O::into_items)
}

/// Pages decoded as a caller's item type, from either list shape.
fn caller<T: de::DeserializeOwned>(response: RawResponse) -> Result<(Vec<T>, Option<i64>)> {
    decode_json::<Page<T>>(response).map(|page| (page.data, page.total_count))
}

fn page_stream<O: Paginated, T: Send + 'static>(
    clerk: Clerk,
    op: O,
    split: Split<T>,
) -> impl Stream<Item = Result<Page<T>>> + Unpin + Send + 'static {
    let cursor = Cursor {
        clerk,
        next: Some(op),
    };
    // Fused: once it has ended, polling again keeps returning `None` instead of panicking.
    let pages = futures_util::stream::unfold(cursor, move |mut cursor| async move {
        let page = cursor.next_page(split).await?;
        Some((page, cursor))
    });
    Box::pin(pages.fuse())
}

fn item_stream<O: Paginated, T: Send + 'static>(
    clerk: Clerk,
    op: O,
    split: Split<T>,
) -> impl Stream<Item = Result<T>> + Unpin + Send + 'static {
    let state = (
        Cursor {
            clerk,
            next: Some(op),
        },
        VecDeque::new(),
    );
    let items = futures_util::stream::unfold(state, move |(mut cursor, mut buffer)| async move {
        loop {
            if let Some(item) = buffer.pop_front() {
                return Some((Ok(item), (cursor, buffer)));
            }
            match cursor.next_page(split).await? {
                Ok(page) => buffer.extend(page.data),
                Err(e) => return Some((Err(e), (cursor, buffer))),
            }
        }
    });
    Box::pin(items.fuse())
}

/// Stream every page of `op`, starting at its offset.
pub fn pages<O: Paginated>(
    clerk: Clerk,
    op: O,
) -> impl Stream<Item = Result<Page<O::Item>>> + Unpin + Send + 'static {
    page_stream(clerk, op, model::<O>)
}

/// Stream every item of `op`'s pages, starting at its offset.
pub fn items<O: Paginated>(
    clerk: Clerk,
    op: O,
) -> impl Stream<Item = Result<O::Item>> + Unpin + Send + 'static {
    item_stream(clerk, op, model::<O>)
}

/// Stream every page of `op` with its items decoded as `T`, a type of your own that declares
/// only the fields you read (see [`Clerk::call_as`]).
///
/// ```no_run
/// # async fn run(clerk: clerk_backend::Clerk) -> clerk_backend::Result<()> {
/// use clerk_backend::api::users::ListUsers;
/// use futures_util::TryStreamExt as _;
///
/// #[derive(serde::Deserialize)]
/// struct Row {
///     id: String,
/// }
///
/// let mut pages = clerk_backend::pagination::pages_as::<Row, _>(clerk, ListUsers::new().limit(500));
/// while let Some(page) = pages.try_next().await? {
///     println!("{} ids", page.len());
/// }
/// # Ok(())
/// # }
/// ```
pub fn pages_as<T: de::DeserializeOwned + Send + 'static, O: Paginated>(
    clerk: Clerk,
    op: O,
) -> impl Stream<Item = Result<Page<T>>> + Unpin + Send + 'static {
    page_stream(clerk, op, caller::<T>)
}

/// Stream every item of `op`'s pages decoded as `T` (see [`pages_as`]).
pub fn items_as<T: de::DeserializeOwned + Send + 'static, O: Paginated>(
    clerk: Clerk,
    op: O,
) -> impl Stream<Item = Result<T>> + Unpin + Send + 'static {
    item_stream(clerk, op, caller::<T>)
}

/// Check a numeric query parameter against the spec's bounds before anything is sent.
///
/// # Errors
/// [`Error::InvalidRequest`] naming the operation, the parameter, its value and the bound.
pub fn check_range(
    info: &OperationInfo,
    name: &str,
    value: Option<i64>,
    min: Option<i64>,
    max: Option<i64>,
) -> Result<()> {
    let Some(v) = value else {
        return Ok(());
    };
    let why = match (min, max) {
        (Some(min), _) if v < min => format!("below the API's minimum of {min}"),
        (_, Some(max)) if v > max => format!("above the API's maximum of {max}"),
        _ => return Ok(()),
    };
    Err(Error::InvalidRequest(format!(
        "{}.{}: `{name}` is {v}, {why}",
        info.group, info.name
    )))
}
