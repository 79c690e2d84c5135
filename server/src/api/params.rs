//! Query parameters (percent-decoding through `percent-encoding`), and the small helpers answers share.
use super::error::{ApiError, ErrorCode, RequestId};
use crate::normalize::MAX_VALUE_LEN;
use anyhow::Result;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;

/// Decodes a query-string component (`+` is a space).
fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(&s.replace('+', " ")).decode_utf8_lossy().into_owned()
}

pub(super) fn query_pairs(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

/// Everything but the unreserved characters of RFC 3986.
const COMPONENT: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

pub(super) fn percent_encode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, COMPONENT).to_string()
}

/// Query parameters: one value per name (a repeated name is an error). Names an endpoint does not know (a
/// cache-buster, a parameter of a newer version) are ignored and named in `X-Ignored-Parameters` (see [`Params::tag`]).
pub(super) struct Params {
    map: HashMap<String, String>,
    ignored: Vec<String>,
}

/// The response header that names the query parameters a request gave and the endpoint ignored.
const IGNORED_HEADER: &str = "x-ignored-parameters";

impl Params {
    pub(super) fn parse(
        rid: &RequestId,
        raw: Option<&str>,
        allowed: &[&str],
    ) -> Result<Self, ApiError> {
        let mut map = HashMap::new();
        let mut ignored: Vec<String> = Vec::new();
        for (k, v) in query_pairs(raw.unwrap_or("")) {
            if !allowed.contains(&k.as_str()) {
                let name = percent_encode(&truncate(&k, 64));
                if !ignored.contains(&name) && ignored.len() < 16 {
                    ignored.push(name);
                }
                continue;
            }
            if v.len() > MAX_VALUE_LEN {
                return Err(ApiError::invalid(
                    rid,
                    format!("parameter `{k}` is longer than {MAX_VALUE_LEN} bytes"),
                ));
            }
            if map.insert(k.clone(), v).is_some() {
                return Err(ApiError::invalid(
                    rid,
                    format!("parameter `{k}` is given more than once"),
                ));
            }
        }
        Ok(Self { map, ignored })
    }
    /// As [`Params::parse`], but an unknown name is an error (TAXII: a filter the server does not apply
    /// would silently widen the answer).
    pub(super) fn parse_strict(
        rid: &RequestId,
        raw: Option<&str>,
        allowed: &[&str],
    ) -> Result<Self, ApiError> {
        let p = Self::parse(rid, raw, allowed)?;
        match p.ignored.first() {
            None => Ok(p),
            Some(k) => Err(ApiError::invalid(
                rid,
                format!("unknown parameter `{k}` (allowed: {})", allowed.join(", ")),
            )),
        }
    }
    pub(super) fn get(&self, k: &str) -> Option<&str> {
        self.map.get(k).map(String::as_str)
    }
    /// Names the ignored parameters (percent-encoded, comma-separated) on `res`.
    pub(super) fn tag(&self, mut res: Response) -> Response {
        if !self.ignored.is_empty()
            && let Ok(v) = HeaderValue::from_str(&self.ignored.join(", "))
        {
            res.headers_mut().insert(IGNORED_HEADER, v);
        }
        res
    }
}

pub(super) fn truncate(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

/// Serialises into one buffer sized for a lookup answer (~10 KB), so a typical answer is written without
/// the reallocations of a growing buffer.
pub(super) fn json_response(status: StatusCode, v: &impl serde::Serialize) -> Response {
    let mut buf = Vec::with_capacity(16 * 1024);
    match serde_json::to_writer(&mut buf, v) {
        Ok(()) => (status, [(header::CONTENT_TYPE, "application/json")], buf).into_response(),
        // Serialising our own types fails only on a bug (a map with non-string keys).
        Err(e) => ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: ErrorCode::InternalError,
            message: format!("serialising the answer: {e}"),
            request_id: String::new(),
            retry_after: None,
        }
        .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_decoding() {
        assert_eq!(
            query_pairs("ioc=evil%5B.%5Dcom&type=a+b&x"),
            vec![
                ("ioc".to_owned(), "evil[.]com".to_owned()),
                ("type".to_owned(), "a b".to_owned()),
                ("x".to_owned(), String::new())
            ]
        );
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }
}
