//! The server's limits on its provider lookups (docs/providers.md, "Server"): a token bucket per provider sized
//! from the core's free-tier defaults (`ProviderInfo::per_minute`, overridable), retries with backoff only where
//! the core allows one (its `retryable`: 429, 5xx, timeout), honouring `Retry-After` when it fits in the request
//! timeout, and a circuit breaker per provider: open after [`Breaker::FAILURES`] failures in a row, then, after
//! the cool-down, half-open: one probe request goes out; its success closes the breaker, its failure opens it
//! again. What is held back is reported with the core's status word `skipped` (the reply's error text says why;
//! never a key). The state lives for the server's lifetime and is shared by every request.
use crate::fetch::{Fetch, HttpRequest};
use ioclens_core::IocKind;
use ioclens_core::providers::{self, ProviderId, ProviderReply, ProviderRequest};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A token bucket: `per_minute` tokens, refilled continuously.
#[derive(Debug)]
pub struct Bucket {
    tokens: f64,
    per_minute: f64,
    at: Instant,
}

impl Bucket {
    /// A full bucket of `per_minute` tokens at `now`.
    #[must_use]
    pub fn full(per_minute: f64, now: Instant) -> Bucket {
        Bucket { tokens: per_minute, per_minute, at: now }
    }

    /// Takes a token, or says how long until one is there.
    ///
    /// # Errors
    /// The wait until the next token.
    pub fn take(&mut self, now: Instant) -> Result<(), Duration> {
        let refill = now.saturating_duration_since(self.at).as_secs_f64() * self.per_minute / 60.0;
        self.tokens = (self.tokens + refill).min(self.per_minute);
        self.at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - self.tokens) * 60.0 / self.per_minute))
        }
    }
}

/// One provider's circuit breaker.
#[derive(Debug, Default)]
struct Breaker {
    failures: u32,
    /// When it opened (or re-opened after a failed probe).
    opened: Option<Instant>,
    /// A half-open probe is out.
    probing: bool,
}

impl Breaker {
    /// Failures in a row that open the breaker.
    const FAILURES: u32 = 3;

    /// May a request go out at `now`? Past the cool-down one probe may (half-open).
    fn admit(&mut self, now: Instant, cooldown: Duration) -> bool {
        match self.opened {
            None => true,
            Some(_) if self.probing => false,
            Some(at) if now.saturating_duration_since(at) >= cooldown => {
                self.probing = true;
                true
            }
            Some(_) => false,
        }
    }

    fn record(&mut self, failed: bool, now: Instant) {
        self.probing = false;
        if failed {
            self.failures += 1;
            if self.failures >= Self::FAILURES {
                self.opened = Some(now);
            }
        } else {
            *self = Breaker::default();
        }
    }
}

/// How long an open breaker waits before its half-open probe, unless configured.
pub(crate) const COOLDOWN: Duration = Duration::from_mins(1);

/// Retries after the first attempt, where the core allows one.
const RETRIES: u32 = 2;

/// The shared state: buckets and breakers per provider, the rates and the breaker's cool-down.
#[derive(Debug)]
pub struct Limits {
    per_minute: HashMap<ProviderId, u32>,
    cooldown: Duration,
    buckets: Mutex<HashMap<ProviderId, Bucket>>,
    breakers: Mutex<HashMap<ProviderId, Breaker>>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits::new(HashMap::new(), COOLDOWN)
    }
}

impl Limits {
    /// `per_minute` overrides the core's default rate per provider; `cooldown`: how long an open breaker waits
    /// before its half-open probe.
    #[must_use]
    pub fn new(per_minute: HashMap<ProviderId, u32>, cooldown: Duration) -> Limits {
        Limits { per_minute, cooldown, buckets: Mutex::default(), breakers: Mutex::default() }
    }

    fn rate(&self, p: ProviderId) -> u32 {
        self.per_minute.get(&p).copied().unwrap_or(p.info().per_minute).max(1)
    }

    /// A token for `p`, waiting at most `timeout` for one.
    fn token(&self, p: ProviderId, timeout: Duration) -> Result<(), String> {
        loop {
            let wait = {
                let mut b = self.buckets.lock().map_err(|_| "rate limiter poisoned".to_owned())?;
                let bucket = b
                    .entry(p)
                    .or_insert_with(|| Bucket::full(f64::from(self.rate(p)), Instant::now()));
                match bucket.take(Instant::now()) {
                    Ok(()) => return Ok(()),
                    Err(wait) => wait,
                }
            };
            if wait > timeout {
                return Err(format!("skipped: rate limit ({} requests/min)", self.rate(p)));
            }
            std::thread::sleep(wait);
        }
    }

    fn admit(&self, p: ProviderId) -> bool {
        self.breakers
            .lock()
            .is_ok_and(|mut b| b.entry(p).or_default().admit(Instant::now(), self.cooldown))
    }

    fn record(&self, p: ProviderId, failed: bool) {
        if let Ok(mut b) = self.breakers.lock() {
            b.entry(p).or_default().record(failed, Instant::now());
        }
    }

    /// One provider's reply for one value: breaker, bucket, send, retry. `key` goes only into the request's
    /// secret header slot. The CLI's `--providers` goes through this too (its cool-down: the whole run).
    pub fn ask(
        &self,
        fetch: &dyn Fetch,
        req: &ProviderRequest,
        key: Option<&str>,
        kind: IocKind,
        timeout: Duration,
    ) -> ProviderReply {
        let p = req.provider;
        let failed = |why: String| ProviderReply {
            provider: p,
            status: 0,
            body: None,
            retry_after: None,
            error: Some(why),
        };
        let secret = req.secret_header.as_deref().zip(key);
        let mut attempt = 0;
        loop {
            if !self.admit(p) {
                return failed(format!(
                    "skipped: {} failures in a row (circuit open)",
                    Breaker::FAILURES
                ));
            }
            if let Err(why) = self.token(p, timeout) {
                // The probe (if this was one) did not go out: the breaker stays as it was.
                if let Ok(mut b) = self.breakers.lock() {
                    b.entry(p).or_default().probing = false;
                }
                return failed(why);
            }
            let sent = fetch.fetch(&HttpRequest {
                method: &req.method,
                url: &req.url,
                headers: &req.headers,
                body: req.body.as_deref(),
                secret,
                timeout,
            });
            let reply = match sent {
                Ok(r) => ProviderReply {
                    provider: p,
                    status: r.status,
                    body: Some(Value::String(r.body)),
                    retry_after: r.retry_after,
                    error: None,
                },
                Err(e) => failed(e.text()),
            };
            let outcome = providers::parse_reply(kind, &reply);
            self.record(p, outcome.status.is_failure());
            let wait = outcome.retry_after.map_or_else(
                || Duration::from_millis(250 << attempt),
                |s| Duration::from_secs(u64::from(s)),
            );
            if !outcome.retryable || attempt >= RETRIES || wait > timeout {
                return reply;
            }
            attempt += 1;
            std::thread::sleep(wait);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_breaker_opens_then_lets_one_probe_through() {
        let t0 = Instant::now();
        let cool = Duration::from_secs(30);
        let mut b = Breaker::default();
        for _ in 0..Breaker::FAILURES {
            assert!(b.admit(t0, cool));
            b.record(true, t0);
        }
        assert!(!b.admit(t0 + Duration::from_secs(29), cool));
        let later = t0 + cool;
        assert!(b.admit(later, cool), "half-open: one probe");
        assert!(!b.admit(later, cool), "only one probe at a time");
        b.record(true, later);
        assert!(!b.admit(later + Duration::from_secs(1), cool), "a failed probe re-opens it");
        assert!(b.admit(later + cool, cool));
        b.record(false, later + cool);
        assert!(
            b.admit(later + cool, cool) && b.admit(later + cool, cool),
            "a good probe closes it"
        );
    }

    #[test]
    fn the_bucket_refills_at_its_rate() {
        let t0 = Instant::now();
        let mut b = Bucket::full(4.0, t0);
        for _ in 0..4 {
            assert!(b.take(t0).is_ok());
        }
        let wait = b.take(t0).unwrap_err();
        assert!((14..=15).contains(&wait.as_secs()), "{wait:?}");
        assert!(b.take(t0 + Duration::from_secs(15)).is_ok());
    }
}
