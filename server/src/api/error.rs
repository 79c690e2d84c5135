//! The JSON error envelope and the request id every answer carries.
use super::pool::Busy;
use crate::store;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// The request id, set by the middleware on every request.
#[derive(Clone)]
pub(super) struct RequestId(pub(super) String);

/// An API error: rendered as `{"error": {"code", "message", "request_id"}}`.
#[derive(Debug)]
pub(super) struct ApiError {
    pub(super) status: StatusCode,
    pub(super) code: &'static str,
    pub(super) message: String,
    pub(super) request_id: String,
    /// Seconds for `Retry-After` (503 when the server is busy).
    pub(super) retry_after: Option<u64>,
}

impl ApiError {
    pub(super) fn new(
        rid: &RequestId,
        status: StatusCode,
        code: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Self { status, code, message: message.into(), request_id: rid.0.clone(), retry_after: None }
    }
    pub(super) fn invalid(rid: &RequestId, message: impl Into<String>) -> Self {
        Self::new(rid, StatusCode::BAD_REQUEST, "invalid_parameter", message)
    }
    /// A failure inside the server. The client gets a generic message and the request id; the details (SQL,
    /// paths) go to the log under that id. A full store queue is `503 busy`, a query stopped at its time
    /// limit `503 query_timeout`, both with `Retry-After`.
    pub(super) fn internal(rid: &RequestId, err: &anyhow::Error) -> Self {
        let (code, message) = if err.is::<Busy>() {
            ("busy", "the server is busy; retry after the seconds given in Retry-After")
        } else if store::unavailable(err) {
            log_error(rid, err);
            (
                "store_unavailable",
                "the store cannot be reached; retry after the seconds given in Retry-After",
            )
        } else if interrupted(err) {
            (
                "query_timeout",
                "the query took longer than this server allows; narrow the filters or retry later",
            )
        } else {
            log_error(rid, err);
            return Self::new(
                rid,
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal_error",
                "internal error (the server log has the details under this request id)",
            );
        };
        Self {
            retry_after: Some(1),
            ..Self::new(rid, StatusCode::SERVICE_UNAVAILABLE, code, message)
        }
    }
}

/// Writes an internal error to the server's log (stderr), under its request id.
#[expect(clippy::print_stderr, reason = "the server's log is its standard error")]
pub(super) fn log_error(rid: &RequestId, err: &anyhow::Error) {
    eprintln!("ioclens: {}: {err:#}", rid.0);
}

/// A statement stopped by the query time limit (the pool's progress handler).
pub(super) fn interrupted(err: &anyhow::Error) -> bool {
    store::timed_out(err)
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({"error": {"code": self.code, "message": self.message, "request_id": self.request_id}});
        let mut res = (self.status, axum::Json(body)).into_response();
        if let Ok(v) = HeaderValue::from_str(&self.request_id) {
            res.headers_mut().insert("x-request-id", v);
        }
        if let Some(s) = self.retry_after {
            res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        res
    }
}
