//! The JSON error envelope and the request id every answer carries.
use super::pool::Busy;
use crate::store;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// The request id, set by the middleware on every request.
#[derive(Clone)]
pub(super) struct RequestId(pub(super) String);

/// The closed set of error codes the API answers with (`error.code`; TAXII's `error_code`): one source of the
/// wire names, checked equal to the `OpenAPI` document's enum by a test.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ErrorCode {
    MissingApiKey,
    InvalidApiKey,
    Forbidden,
    RateLimitExceeded,
    InvalidParameter,
    NotFound,
    MethodNotAllowed,
    InternalError,
    MisdirectedRequest,
    Busy,
    QueryTimeout,
    StoreUnavailable,
    UnsupportedAuthScheme,
}

impl ErrorCode {
    /// Every code, in the `OpenAPI` document's order.
    #[cfg(test)]
    pub(super) const ALL: [Self; 13] = [
        Self::MissingApiKey,
        Self::InvalidApiKey,
        Self::Forbidden,
        Self::RateLimitExceeded,
        Self::InvalidParameter,
        Self::NotFound,
        Self::MethodNotAllowed,
        Self::InternalError,
        Self::MisdirectedRequest,
        Self::Busy,
        Self::QueryTimeout,
        Self::StoreUnavailable,
        Self::UnsupportedAuthScheme,
    ];

    /// The wire name.
    pub(super) const fn as_str(self) -> &'static str {
        match self {
            Self::MissingApiKey => "missing_api_key",
            Self::InvalidApiKey => "invalid_api_key",
            Self::Forbidden => "forbidden",
            Self::RateLimitExceeded => "rate_limit_exceeded",
            Self::InvalidParameter => "invalid_parameter",
            Self::NotFound => "not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::InternalError => "internal_error",
            Self::MisdirectedRequest => "misdirected_request",
            Self::Busy => "busy",
            Self::QueryTimeout => "query_timeout",
            Self::StoreUnavailable => "store_unavailable",
            Self::UnsupportedAuthScheme => "unsupported_auth_scheme",
        }
    }
}

impl serde::Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// An API error: rendered as `{"error": {"code", "message", "request_id"}}`.
#[derive(Debug)]
pub(super) struct ApiError {
    pub(super) status: StatusCode,
    pub(super) code: ErrorCode,
    pub(super) message: String,
    pub(super) request_id: String,
    /// Seconds for `Retry-After` (503 when the server is busy).
    pub(super) retry_after: Option<u64>,
}

impl ApiError {
    pub(super) fn new(
        rid: &RequestId,
        status: StatusCode,
        code: ErrorCode,
        message: impl Into<String>,
    ) -> Self {
        Self { status, code, message: message.into(), request_id: rid.0.clone(), retry_after: None }
    }
    pub(super) fn invalid(rid: &RequestId, message: impl Into<String>) -> Self {
        Self::new(rid, StatusCode::BAD_REQUEST, ErrorCode::InvalidParameter, message)
    }
    /// A failure inside the server. The client gets a generic message and the request id; the details (SQL,
    /// paths) go to the log under that id. A full store queue is `503 busy`, a query stopped at its time
    /// limit `503 query_timeout`, both with `Retry-After`.
    pub(super) fn internal(rid: &RequestId, err: &anyhow::Error) -> Self {
        let (code, message) = if err.is::<Busy>() {
            (ErrorCode::Busy, "the server is busy; retry after the seconds given in Retry-After")
        } else if store::unavailable(err) {
            log_error(rid, err);
            (
                ErrorCode::StoreUnavailable,
                "the store cannot be reached; retry after the seconds given in Retry-After",
            )
        } else if interrupted(err) {
            (
                ErrorCode::QueryTimeout,
                "the query took longer than this server allows; narrow the filters or retry later",
            )
        } else {
            log_error(rid, err);
            return Self::new(
                rid,
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::InternalError,
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
        let body = json!({"error": {"code": self.code.as_str(), "message": self.message, "request_id": self.request_id}});
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

#[cfg(test)]
mod tests {
    use super::ErrorCode;

    /// The codes the server can answer with are exactly the ones its `OpenAPI` document lists.
    #[test]
    fn error_codes_are_the_openapi_enum() {
        let doc: serde_json::Value = serde_json::from_str(super::super::OPENAPI).unwrap();
        let listed: Vec<&str> = doc["components"]["schemas"]["Error"]["properties"]["error"]["properties"]
            ["code"]["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let ours: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(ours, listed);
        for c in ErrorCode::ALL {
            assert_eq!(serde_json::to_value(c).unwrap(), c.as_str());
        }
    }
}
