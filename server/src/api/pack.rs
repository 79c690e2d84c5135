//! `GET /api/v1/intel/pack`: the signed intel pack.
use super::Shared;
use super::cache;
use super::error::{ApiError, ErrorCode, RequestId};
use super::gate::set_header;
use super::params::Params;
use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ioclens_core::intel::pack::LoadedPack;
use std::sync::Arc;

/// `GET /api/v1/intel/pack`: the intel pack this server uses, signed (docs/intel.md, "Signed packs"). A strong
/// `ETag` (the pack's own SHA-256) with `If-None-Match` → 304 and `Cache-Control` [`cache::PACK`], the ed25519
/// signature of the whole file in `X-Ioclens-Signature` and the public key in `X-Ioclens-Public-Key` (a client
/// checks the signature against the key it was configured with, not this one).
pub(super) async fn intel_pack(
    State(st): State<Shared>,
    axum::Extension(rid): axum::Extension<RequestId>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    if let Err(e) = Params::parse(&rid, q.as_deref(), &[]) {
        return e.into_response();
    }
    let none = || {
        ApiError::new(
            &rid,
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            "this server has no intel pack",
        )
        .into_response()
    };
    let Some(live) = st.intel.clone() else {
        return none();
    };
    let Some((p, key)) =
        tokio::task::spawn_blocking(move || live.published().zip(live.public_key()))
            .await
            .ok()
            .flatten()
    else {
        return none();
    };
    let mut res = cache::conditional(&headers, &p.etag, cache::PACK, || {
        let body = axum::body::Bytes::from_owner(PackBody(p.pack.clone()));
        let mut r = Response::new(Body::from(body));
        r.headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/octet-stream"));
        r
    });
    set_header(&mut res, "x-ioclens-signature", &p.signature);
    set_header(&mut res, "x-ioclens-public-key", &key);
    res
}

/// A loaded pack's bytes as a response body, without copying them.
struct PackBody(Arc<LoadedPack>);

impl AsRef<[u8]> for PackBody {
    fn as_ref(&self) -> &[u8] {
        self.0.bytes()
    }
}
