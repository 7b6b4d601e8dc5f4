//! The one door between generated code and the hand-written runtime.
//!
//! Generated modules name runtime items only through this module, so the runtime can be
//! reorganised without touching the generator: move an item, then fix its line here.

pub(crate) use crate::pipeline::{
    ApiRequest, Detached, Operation, OperationInfo, PathBuilder, QueryValue, QueryWriter,
    RequestOptions, decode_empty, decode_json, decode_text, json_body, missing, request_options,
};
pub(crate) use crate::transport::{Body, RawResponse};
