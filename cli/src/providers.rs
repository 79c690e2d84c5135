//! `ioclens lookup --providers virustotal,abuseipdb,…`: the CLI as a host of the core's sans-I/O enrichment
//! providers (`core/src/providers/`, docs/providers.md). The core builds every request and reads every reply; this
//! file holds keys, sends requests through the one HTTP seam ([`ioclens_server::fetch`]) and behaves under real limits:
//!
//! - keys from `IOCLENS_<ID>_KEY`, else the config file (`IOCLENS_PROVIDERS_CONFIG`, default
//!   `<config dir>/ioclens/providers.toml`), else the `TIProviders` section of `msticpyconfig.yaml`
//!   (`MSTICPYCONFIG`, else `./msticpyconfig.yaml`; `AuthKey` as text or `{EnvironmentVar: NAME}`); base URLs from
//!   `IOCLENS_<ID>_URL` or the config file;
//! - a token bucket per provider sized from the core's defaults (the free tiers), overridable per provider; a request
//!   that would wait longer than the timeout is `skipped`, not queued for minutes;
//! - at most `concurrency` requests in flight, a timeout per request, retries with backoff only where the core
//!   allows them (429 with `Retry-After`, 5xx, timeout), a circuit breaker that skips a provider after 3
//!   failures in a row;
//! - an on-disk cache (`IOCLENS_CACHE_DIR`, default `<cache dir>/ioclens/providers/`) keyed by provider and a
//!   digest of the value, with the core's per-provider lifetimes, so a repeated value never spends quota twice.
//!
//! Fail-open: a provider failing never fails the lookup; its status is in `score.providers`.
#![expect(
    clippy::disallowed_methods,
    reason = "the CLI is the host: it reads the environment, the clock and the cache files"
)]
use anyhow::{Context, Result};
use ioclens_core::LookupResponse;
use ioclens_core::providers::{
    self, ProviderConfig, ProviderId, ProviderReply, ProviderRequest, ProviderStatus,
};
use ioclens_server::api::ProviderLimits;
use ioclens_server::fetch::Fetch;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

/// Per-provider settings of the config file (`[virustotal]` …).
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct FileProvider {
    key: Option<String>,
    url: Option<String>,
    per_minute: Option<u32>,
    ttl_found: Option<u64>,
    ttl_not_found: Option<u64>,
}

/// The config file.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct FileConfig {
    cache_dir: Option<PathBuf>,
    concurrency: Option<usize>,
    #[serde(flatten)]
    providers: HashMap<String, FileProvider>,
}

/// Everything the CLI needs to ask providers.
pub(crate) struct Settings {
    pub(crate) providers: Vec<ProviderId>,
    keys: HashMap<ProviderId, String>,
    urls: Vec<(ProviderId, String)>,
    per_minute: HashMap<ProviderId, u32>,
    ttl: HashMap<ProviderId, (u64, u64)>,
    pub(crate) cache_dir: Option<PathBuf>,
    pub(crate) concurrency: usize,
    pub(crate) timeout: Duration,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

fn env_name(p: ProviderId, what: &str) -> String {
    format!("IOCLENS_{}_{what}", p.as_str().to_ascii_uppercase())
}

/// `TIProviders: {Name: {Args: {AuthKey: "…" | {EnvironmentVar: NAME}}}}` → keys by provider id. Unknown
/// providers (`XForce`, `RiskIQ` …) and Key Vault references are ignored.
fn msticpy_keys(text: &str) -> Result<HashMap<ProviderId, String>> {
    let doc: serde_json::Value =
        serde_saphyr::from_str(text).context("msticpyconfig.yaml is not valid YAML")?;
    let mut out = HashMap::new();
    let Some(tip) = doc.get("TIProviders").and_then(Value::as_object) else {
        return Ok(out);
    };
    for (name, entry) in tip {
        let id = match name.to_ascii_lowercase().as_str() {
            "virustotal" => ProviderId::Virustotal,
            "abuseipdb" => ProviderId::Abuseipdb,
            "otx" | "alienvaultotx" => ProviderId::Otx,
            "greynoise" => ProviderId::Greynoise,
            _ => continue,
        };
        let key = match entry.pointer("/Args/AuthKey") {
            Some(Value::String(k)) => Some(k.trim().to_owned()),
            Some(v) => v.get("EnvironmentVar").and_then(Value::as_str).and_then(env),
            None => None,
        };
        if let Some(k) = key.filter(|k| !k.is_empty()) {
            out.insert(id, k);
        }
    }
    Ok(out)
}

impl Settings {
    /// Reads keys, URLs and limits for `providers` (env over config file over msticpy config).
    pub(crate) fn load(providers: Vec<ProviderId>, timeout: Duration) -> Result<Settings> {
        let file_path = env("IOCLENS_PROVIDERS_CONFIG")
            .map(PathBuf::from)
            .or_else(|| dirs::config_dir().map(|d| d.join("ioclens").join("providers.toml")));
        let file: FileConfig = match &file_path {
            Some(p) if p.exists() => {
                let text = std::fs::read_to_string(p)
                    .with_context(|| format!("reading {}", p.display()))?;
                toml::from_str(&text)
                    .with_context(|| format!("{} is not a valid providers config", p.display()))?
            }
            _ => FileConfig::default(),
        };
        for name in file.providers.keys() {
            if ProviderId::parse(name).is_none() {
                anyhow::bail!("providers config: unknown provider `{name}`");
            }
        }
        let mst_path =
            env("MSTICPYCONFIG").map_or_else(|| "msticpyconfig.yaml".into(), PathBuf::from);
        let mst = if mst_path.exists() {
            let text = std::fs::read_to_string(&mst_path)
                .with_context(|| format!("reading {}", mst_path.display()))?;
            msticpy_keys(&text).with_context(|| mst_path.display().to_string())?
        } else {
            HashMap::new()
        };
        let mut s = Settings {
            providers,
            keys: HashMap::new(),
            urls: Vec::new(),
            per_minute: HashMap::new(),
            ttl: HashMap::new(),
            cache_dir: env("IOCLENS_CACHE_DIR")
                .map(PathBuf::from)
                .or(file.cache_dir.clone())
                .or_else(|| dirs::cache_dir().map(|d| d.join("ioclens")))
                .map(|d| d.join("providers")),
            concurrency: file.concurrency.unwrap_or(4).clamp(1, 32),
            timeout,
        };
        for p in ProviderId::ALL {
            let fp = file
                .providers
                .iter()
                .find(|(n, _)| ProviderId::parse(n) == Some(p))
                .map(|(_, f)| f);
            let info = p.info();
            let key = env(&env_name(p, "KEY"))
                .or_else(|| fp.and_then(|f| f.key.clone()))
                .or_else(|| mst.get(&p).cloned());
            if let Some(k) = key {
                s.keys.insert(p, k);
            }
            if let Some(u) = env(&env_name(p, "URL")).or_else(|| fp.and_then(|f| f.url.clone())) {
                s.urls.push((p, u));
            }
            s.per_minute.insert(p, fp.and_then(|f| f.per_minute).unwrap_or(info.per_minute).max(1));
            s.ttl.insert(
                p,
                (
                    fp.and_then(|f| f.ttl_found).unwrap_or(u64::from(info.ttl_found)),
                    fp.and_then(|f| f.ttl_not_found).unwrap_or(u64::from(info.ttl_not_found)),
                ),
            );
        }
        Ok(s)
    }

    /// Every key held: what an output check must never see.
    #[cfg(test)]
    fn secrets(&self) -> Vec<&str> {
        self.keys.values().map(String::as_str).collect()
    }
}

/// A cached reply.
#[derive(Serialize, Deserialize)]
struct Cached {
    stored: u64,
    status: u16,
    body: String,
}

/// The providers' host side for a whole run: settings, HTTP seam, token buckets, failure counts (breaker) and
/// the clock, shared by every value so limits and the breaker hold across a stream.
pub(crate) struct Host<'a> {
    s: &'a Settings,
    fetch: &'a dyn Fetch,
    /// Token buckets, retries and the breaker (the server's; open for the rest of the run once tripped).
    limits: ProviderLimits,
    now: u64,
}

impl Host<'_> {
    fn cache_path(&self, p: ProviderId, kind: &str, value: &str) -> Option<PathBuf> {
        let digest = Sha256::digest(format!("{kind}\t{value}").as_bytes());
        let name = ioclens_server::intel::hex(&digest);
        self.s.cache_dir.as_ref().map(|d| d.join(p.as_str()).join(format!("{name}.json")))
    }

    fn cached(&self, path: &Path, p: ProviderId) -> Option<Cached> {
        let c: Cached = serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
        let (found, not_found) = self.s.ttl.get(&p).copied().unwrap_or((3600, 3600));
        let ttl = if (200..300).contains(&c.status) { found.max(not_found) } else { not_found };
        (self.now.saturating_sub(c.stored) < ttl).then_some(c)
    }

    fn store(&self, path: &Path, status: u16, body: &str) {
        let c = Cached { stored: self.now, status, body: body.to_owned() };
        if let (Some(dir), Ok(text)) = (path.parent(), serde_json::to_string(&c)) {
            let tmp = path.with_extension("tmp");
            // A cache that cannot be written costs quota, not correctness.
            let _ = std::fs::create_dir_all(dir)
                .and_then(|()| std::fs::write(&tmp, text))
                .and_then(|()| std::fs::rename(&tmp, path));
        }
    }

    /// One provider's reply for one value: cache, breaker, bucket, send, retry.
    fn ask(
        &self,
        req: &ProviderRequest,
        kind: ioclens_core::IocKind,
        value: &str,
    ) -> ProviderReply {
        let p = req.provider;
        let path = self.cache_path(p, kind.as_str(), value);
        if let Some(c) = path.as_deref().and_then(|path| self.cached(path, p)) {
            return ProviderReply {
                provider: p,
                status: c.status,
                body: Some(Value::String(c.body)),
                retry_after: None,
                error: None,
            };
        }
        let key = self.s.keys.get(&p).map(String::as_str);
        let reply = self.limits.ask(self.fetch, req, key, kind, self.s.timeout);
        if providers::parse_reply(kind, &reply).status.cacheable()
            && let (Some(path), Some(Value::String(body))) = (&path, &reply.body)
        {
            self.store(path, reply.status, body);
        }
        reply
    }
}

impl<'a> Host<'a> {
    /// The host for one run (`now`: Unix seconds, for the cache).
    pub(crate) fn new(s: &'a Settings, fetch: &'a dyn Fetch, now: i64) -> Host<'a> {
        Host {
            s,
            fetch,
            limits: ProviderLimits::new(s.per_minute.clone(), Duration::MAX),
            now: u64::try_from(now).unwrap_or(0),
        }
    }

    /// Asks every configured provider about every result and applies the answers (fail-open). Returns one
    /// note per provider failure for stderr (never a key).
    pub(crate) fn enrich(&self, results: &mut [LookupResponse]) -> Vec<String> {
        let s = self.s;
        let host = self;
        let cfg = ProviderConfig {
            providers: s.providers.clone(),
            keys: s.keys.keys().copied().collect(),
            base_urls: s.urls.clone(),
        };
        let mut jobs = Vec::new();
        let mut replies: Vec<Vec<ProviderReply>> = vec![Vec::new(); results.len()];
        for (i, r) in results.iter().enumerate() {
            let plan = providers::requests(&r.ioc_value, r.ioc_type, &cfg);
            for skip in plan.skipped {
                let note = match skip.status {
                    ProviderStatus::NoKey => {
                        format!("no key ({} not set)", env_name(skip.provider, "KEY"))
                    }
                    ProviderStatus::NotConfigured => {
                        format!("no base URL ({} not set)", env_name(skip.provider, "URL"))
                    }
                    _ => "does not answer for this type".to_owned(),
                };
                replies[i].push(ProviderReply {
                    provider: skip.provider,
                    status: 0,
                    body: None,
                    retry_after: None,
                    error: Some(format!("{}: {note}", skip.status.as_str())),
                });
            }
            jobs.extend(plan.requests.into_iter().map(|q| (i, q)));
        }
        let queue = Mutex::new(jobs.into_iter());
        let done = Mutex::new(Vec::new());
        std::thread::scope(|scope| {
            for _ in 0..s.concurrency {
                scope.spawn(|| {
                    loop {
                        let next = queue.lock().ok().and_then(|mut q| q.next());
                        let Some((i, req)) = next else { break };
                        let r = &results[i];
                        let reply = host.ask(&req, r.ioc_type, &r.ioc_value);
                        if let Ok(mut d) = done.lock() {
                            d.push((i, reply));
                        }
                    }
                });
            }
        });
        for (i, reply) in done.into_inner().unwrap_or_default() {
            replies[i].push(reply);
        }
        let mut notes = Vec::new();
        for (r, mut rs) in results.iter_mut().zip(replies) {
            rs.sort_by_key(|x| s.providers.iter().position(|p| *p == x.provider));
            let outcomes: Vec<_> =
                rs.iter().map(|x| providers::parse_reply(r.ioc_type, x)).collect();
            for o in &outcomes {
                if !o.status.cacheable() && o.status != ProviderStatus::NotApplicable {
                    notes.push(format!(
                        "provider {} {} for {}: {}",
                        o.provider,
                        o.status.as_str(),
                        r.ioc_value,
                        o.message.as_deref().unwrap_or("")
                    ));
                }
            }
            providers::apply(r, &outcomes);
        }
        notes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn msticpy_keys_read_text_and_env_references() {
        let yaml = "TIProviders:\n  VirusTotal:\n    Args:\n      AuthKey: vt-key-1\n    Primary: True\n  XForce:\n    Args:\n      ApiID: x\n  OTX:\n    Args:\n      AuthKey:\n        EnvironmentVar: IOCLENS_TEST_UNSET_VAR_9\n";
        let k = msticpy_keys(yaml).unwrap();
        assert_eq!(k.get(&ProviderId::Virustotal).map(String::as_str), Some("vt-key-1"));
        assert!(!k.contains_key(&ProviderId::Otx));
        assert!(msticpy_keys("TIProviders: [unclosed").is_err());
        assert!(msticpy_keys("other: 1\n").unwrap().is_empty());
    }

    #[test]
    fn settings_list_every_key_held() {
        let s = Settings {
            providers: vec![],
            keys: HashMap::from([(ProviderId::Otx, "k".into())]),
            urls: vec![],
            per_minute: HashMap::new(),
            ttl: HashMap::new(),
            cache_dir: None,
            concurrency: 1,
            timeout: Duration::from_secs(1),
        };
        assert_eq!(s.secrets(), ["k"]);
    }
}
