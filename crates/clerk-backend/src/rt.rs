//! The one door between generated code and the hand-written runtime.
//!
//! Generated modules name runtime items only through this module, so the runtime can be
//! reorganised without touching the generator: move an item, then fix its line here.
//!
//! Each group uses some of these items: with only a few group features on, some go unused.
#![allow(unused_imports)]

pub(crate) use crate::pipeline::{
    ApiRequest, Detached, Operation, OperationInfo, PathBuilder, QueryValue, QueryWriter,
    RequestOptions, decode_empty, decode_json, decode_text, json_body, missing, request_options,
};
pub(crate) use crate::transport::{Body, RawResponse};
