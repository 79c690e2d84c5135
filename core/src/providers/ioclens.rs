//! Another ioclens server: the remote scorer ([`crate::score::remote_request`] / [`crate::score::parse_response`])
//! as a provider. Its answer is merged by the remote-scorer rules (`docs/scoring.md`, "Remote scoring"), and its
//! status maps onto the provider set.
use super::{ProviderId, ProviderOutcome, ProviderRequest, ProviderStatus};
use crate::IocKind;
use crate::score::{RemoteStatus, parse_response, remote_request};

pub(super) fn request(base: &str, value: &str, kind: IocKind) -> Option<ProviderRequest> {
    let r = remote_request(value, kind)?;
    Some(ProviderRequest {
        provider: ProviderId::Ioclens,
        url: r.url(base),
        method: r.method,
        headers: r.headers,
        body: None,
        secret_header: None,
    })
}

pub(super) fn parse(http_status: u16, body: &str) -> ProviderOutcome {
    let remote = parse_response(http_status, body);
    let status = match remote.status {
        RemoteStatus::Ok if remote.found == Some(false) => ProviderStatus::NotFound,
        RemoteStatus::Ok => ProviderStatus::Found,
        RemoteStatus::RateLimited => ProviderStatus::RateLimited,
        RemoteStatus::Timeout => ProviderStatus::Timeout,
        RemoteStatus::Disabled => ProviderStatus::NotConfigured,
        RemoteStatus::Error => match http_status {
            401 | 403 => ProviderStatus::Unauthorized,
            500..=599 => ProviderStatus::Unavailable,
            200..=299 => ProviderStatus::Malformed,
            _ => ProviderStatus::Error,
        },
    };
    let mut o = ProviderOutcome::new(ProviderId::Ioclens, status);
    o.message.clone_from(&remote.message);
    o.retryable = matches!(status, ProviderStatus::RateLimited | ProviderStatus::Unavailable);
    o.remote = Some(remote);
    o
}
