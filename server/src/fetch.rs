//! The one HTTP seam of the native hosts: every request the core builds (the CLI's `--remote` and `--providers`,
//! the server's `?providers=`) goes out through [`Fetch`], so a test, a proxy-aware client or another host
//! (Extism) can stand in for it. The secret travels separately
//! from the request the core built and goes only into its header: it is never part of a URL, a log line or an
//! error message.
use std::time::Duration;

/// One request.
pub struct HttpRequest<'a> {
    /// `GET` or `POST`.
    pub method: &'a str,
    /// Full URL (percent-encoded by the core).
    pub url: &'a str,
    /// Headers without the secret.
    pub headers: &'a [(String, String)],
    /// Body, for `POST`.
    pub body: Option<&'a str>,
    /// `(header, key)`: the credential.
    pub secret: Option<(&'a str, &'a str)>,
    /// Whole-call timeout.
    pub timeout: Duration,
}

/// An HTTP answer (any status).
pub struct HttpReply {
    /// HTTP status.
    pub status: u16,
    /// Body text.
    pub body: String,
    /// The `Retry-After` header.
    pub retry_after: Option<String>,
}

/// Why no answer came. The text never holds the secret (ureq's errors name the URL, not the headers).
pub enum FetchError {
    /// The call timed out.
    Timeout(String),
    /// Any other failure.
    Other(String),
}

impl FetchError {
    /// The text the core reads (`timed out` → `timeout`).
    #[must_use]
    pub fn text(&self) -> String {
        match self {
            FetchError::Timeout(e) => format!("timed out: {e}"),
            FetchError::Other(e) => e.clone(),
        }
    }
}

/// Sends one request.
pub trait Fetch: Sync {
    /// Sends `req`; any HTTP status is an answer, only transport failures are errors.
    ///
    /// # Errors
    /// Timeout, refused connection, unreadable body.
    fn fetch(&self, req: &HttpRequest<'_>) -> Result<HttpReply, FetchError>;
}

/// The real client (ureq, rustls).
pub struct Ureq;

/// Bodies larger than this are cut (provider answers are a few KB).
const MAX_BODY: u64 = 4 * 1024 * 1024;

impl Fetch for Ureq {
    fn fetch(&self, req: &HttpRequest<'_>) -> Result<HttpReply, FetchError> {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(req.timeout))
            .http_status_as_error(false)
            .build()
            .into();
        let mut headers: Vec<(&str, &str)> =
            req.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        if let Some((h, k)) = req.secret {
            headers.push((h, k));
        }
        let sent = if req.method.eq_ignore_ascii_case("POST") {
            let mut call = agent.post(req.url);
            for (k, v) in &headers {
                call = call.header(*k, *v);
            }
            call.send(req.body.unwrap_or_default())
        } else {
            let mut call = agent.get(req.url);
            for (k, v) in &headers {
                call = call.header(*k, *v);
            }
            call.call()
        };
        let mut r = sent.map_err(|e| classify(&e))?;
        let status = r.status().as_u16();
        let retry_after =
            r.headers().get("retry-after").and_then(|v| v.to_str().ok()).map(str::to_owned);
        let body = r
            .body_mut()
            .with_config()
            .limit(MAX_BODY)
            .read_to_string()
            .map_err(|e| classify(&e))?;
        Ok(HttpReply { status, body, retry_after })
    }
}

fn classify(e: &ureq::Error) -> FetchError {
    match e {
        ureq::Error::Timeout(_) => FetchError::Timeout(e.to_string()),
        _ => FetchError::Other(e.to_string()),
    }
}
