//! Streams over limit/offset list operations.
//!
//! Every list operation with `limit` and `offset` has `.into_stream()`, yielding items one by one
//! and fetching the next page only when the current one is used up.

use std::collections::VecDeque;
use std::pin::Pin;

use futures_core::Stream;
use futures_util::StreamExt as _;

use crate::client::Clerk;
use crate::error::Result;
use crate::pipeline::Operation;

/// A stream of items from consecutive pages.
pub type ItemStream<T> = Pin<Box<dyn Stream<Item = Result<T>> + Send>>;

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

struct State<O: Paginated> {
    clerk: Clerk,
    next: Option<O>,
    buffer: VecDeque<O::Item>,
}

/// Stream every item of `op`'s pages, starting at its offset.
pub fn stream<O: Paginated>(clerk: Clerk, op: O) -> ItemStream<O::Item>
where
    O::Output: Send,
{
    let state = State {
        clerk,
        next: Some(op),
        buffer: VecDeque::new(),
    };
    // Fused: once it has ended (after the last item or an error), polling again keeps
    // returning `None` instead of panicking.
    let items = futures_util::stream::unfold(state, |mut st| async move {
        loop {
            if let Some(item) = st.buffer.pop_front() {
                return Some((Ok(item), st));
            }
            let op = st.next.take()?;
            let offset = op.offset();
            let limit = op.limit().max(1);
            let page = st.clerk.call(op.clone()).await;
            let output = match page {
                Ok(o) => o,
                // Surface the error once, then end the stream.
                Err(e) => return Some((Err(e), st)),
            };
            let (items, total) = O::into_items(output);
            let fetched = i64::try_from(items.len()).unwrap_or(i64::MAX);
            let next_offset = offset.saturating_add(fetched);
            let more = fetched >= limit && total.is_none_or(|t| next_offset < t);
            if more {
                let mut next = op;
                next.set_offset(next_offset);
                st.next = Some(next);
            }
            st.buffer.extend(items);
        }
    });
    Box::pin(items.fuse())
}
