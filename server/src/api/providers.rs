//! `GET /api/v1/lookup?providers=virustotal,abuseipdb,…`: the server as a host of the core's enrichment providers
//! (docs/providers.md). Keys are held server-side (`IOCLENS_<ID>_KEY`, base URLs `IOCLENS_<ID>_URL`, read at
//! start) and never sent to clients; replies are cached in the store (`provider_cache`) for the core's
//! per-provider lifetimes, so a repeated value never spends quota twice. Fail-open: a provider failing is a status
//! in `score.providers`, never a failed lookup. Rate limits, retries and the circuit breaker: [`limits`].
mod limits;

pub use limits::{Bucket, Limits};

use crate::fetch::Ureq;
use crate::store;
use ioclens_core::LookupResponse;
use ioclens_core::providers::{self, ProviderConfig, ProviderId, ProviderReply, ProviderStatus};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use store::Backend as Connection;

/// The server's provider keys and base URLs. Its `Debug` names the providers, never a key.
#[derive(Clone, Default)]
pub struct ServerProviders {
    keys: HashMap<ProviderId, String>,
    urls: Vec<(ProviderId, String)>,
    timeout: Duration,
    /// Token buckets and circuit breakers, shared by every request (and every clone).
    limits: Arc<Limits>,
}

impl std::fmt::Debug for ServerProviders {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut keyed: Vec<&str> = self.keys.keys().map(|p| p.as_str()).collect();
        keyed.sort_unstable();
        f.debug_struct("ServerProviders")
            .field("keys_for", &keyed)
            .field("urls", &self.urls)
            .field("timeout", &self.timeout)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl ServerProviders {
    /// Keys and base URLs given by the operator; `timeout` per provider request.
    pub fn new(
        keys: HashMap<ProviderId, String>,
        urls: Vec<(ProviderId, String)>,
        timeout: Duration,
    ) -> Self {
        ServerProviders { keys, urls, timeout, limits: Arc::default() }
    }

    /// Overrides the core's default rates (requests per minute, per provider) and the circuit breaker's
    /// cool-down before its half-open probe (default 60 s).
    #[must_use]
    pub fn with_limits(mut self, per_minute: HashMap<ProviderId, u32>, cooldown: Duration) -> Self {
        self.limits = Arc::new(Limits::new(per_minute, cooldown));
        self
    }

    /// `IOCLENS_<ID>_KEY`, `IOCLENS_<ID>_URL` and `IOCLENS_<ID>_PER_MINUTE` (token bucket rate; default the
    /// core's free-tier figure) for every provider (5 s per request).
    #[expect(
        clippy::disallowed_methods,
        reason = "the server is a host: it reads its keys from the environment"
    )]
    pub fn from_env() -> Self {
        let var = |p: ProviderId, what: &str| {
            std::env::var(format!("IOCLENS_{}_{what}", p.as_str().to_ascii_uppercase()))
                .ok()
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let mut s =
            ServerProviders { timeout: Duration::from_secs(5), ..ServerProviders::default() };
        let mut per_minute = HashMap::new();
        for p in ProviderId::ALL {
            if let Some(n) = var(p, "PER_MINUTE").and_then(|n| n.parse::<u32>().ok()) {
                per_minute.insert(p, n);
            }
            if let Some(k) = var(p, "KEY") {
                s.keys.insert(p, k);
            }
            if let Some(u) = var(p, "URL") {
                s.urls.push((p, u));
            }
        }
        s.with_limits(per_minute, limits::COOLDOWN)
    }
}

fn reply_of(
    provider: ProviderId,
    status: u16,
    body: String,
    retry_after: Option<String>,
) -> ProviderReply {
    ProviderReply { provider, status, body: Some(Value::String(body)), retry_after, error: None }
}

/// What is left to send for one value, and the replies known without sending (skipped, cached).
pub(super) struct Pending {
    kind: ioclens_core::IocKind,
    order: Vec<ProviderId>,
    replies: Vec<ProviderReply>,
    send: Vec<providers::ProviderRequest>,
}

/// Step 1 (store, no await): the core's requests for `core`'s value, answered from the store's cache where it can.
pub(super) fn plan(
    sp: &ServerProviders,
    conn: &dyn Connection,
    core: &LookupResponse,
    ids: Vec<ProviderId>,
    now: i64,
) -> Pending {
    let cfg = ProviderConfig {
        providers: ids,
        keys: sp.keys.keys().copied().collect(),
        base_urls: sp.urls.clone(),
    };
    let (kind, value) = (core.ioc_type, core.ioc_value.clone());
    let plan = providers::requests(&value, kind, &cfg);
    let mut replies: Vec<ProviderReply> = plan
        .skipped
        .iter()
        .map(|s| ProviderReply {
            provider: s.provider,
            status: 0,
            body: None,
            retry_after: None,
            error: Some(s.status.as_str().to_owned()),
        })
        .collect();
    let mut send = Vec::new();
    for req in plan.requests {
        let info = req.provider.info();
        let hit = store::provider_cache_get(
            conn,
            req.provider.as_str(),
            kind,
            &value,
            i64::from(info.ttl_found),
            now,
        )
        .ok()
        .flatten()
        .map(|(status, body, stored)| (reply_of(req.provider, status, body, None), stored))
        .filter(|(r, stored)| {
            providers::parse_reply(kind, r).status != ProviderStatus::NotFound
                || now - stored < i64::from(info.ttl_not_found)
        });
        match hit {
            Some((r, _)) => replies.push(r),
            None => send.push(req),
        }
    }
    Pending { kind, order: cfg.providers, replies, send }
}

/// Step 2 (no store): sends the requests, in parallel, the keys in their header slots, through the provider's
/// token bucket and circuit breaker, retrying where the core allows it ([`limits`]).
pub(super) async fn send(sp: &ServerProviders, pending: Pending) -> (Pending, Vec<ProviderReply>) {
    let (keys, timeout, limits) = (sp.keys.clone(), sp.timeout, sp.limits.clone());
    let send = pending.send.clone();
    let kind = pending.kind;
    let sent = tokio::task::spawn_blocking(move || {
        std::thread::scope(|scope| {
            let handles: Vec<_> = send
                .iter()
                .map(|req| {
                    let key = keys.get(&req.provider).map(String::as_str);
                    let limits = &limits;
                    scope.spawn(move || limits.ask(&Ureq, req, key, kind, timeout))
                })
                .collect();
            handles.into_iter().filter_map(|h| h.join().ok()).collect::<Vec<_>>()
        })
    })
    .await
    .unwrap_or_default();
    (pending, sent)
}

/// Step 3 (store, no await): stores the cacheable replies and applies every reply to `core`.
pub(super) fn finish(
    conn: &dyn Connection,
    core: &mut LookupResponse,
    (pending, sent): (Pending, Vec<ProviderReply>),
    now: i64,
) {
    let (kind, value) = (core.ioc_type, core.ioc_value.clone());
    let mut replies = pending.replies;
    for r in sent {
        if providers::parse_reply(kind, &r).status.cacheable()
            && let Some(Value::String(body)) = &r.body
        {
            // A cache that cannot be written costs quota, not the answer.
            let _ = store::provider_cache_put(
                conn,
                r.provider.as_str(),
                kind,
                &value,
                (r.status, body),
                now,
            );
        }
        replies.push(r);
    }
    replies.sort_by_key(|r| pending.order.iter().position(|p| *p == r.provider));
    let outcomes: Vec<_> = replies.iter().map(|r| providers::parse_reply(kind, r)).collect();
    providers::apply(core, &outcomes);
}
