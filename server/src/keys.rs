//! API keys: 32 random bytes shown once as `ioc_<base64url>`, stored only as their SHA-256.
use anyhow::{Context as _, Result, bail};
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};

/// Default per-key limit, requests per minute.
pub const DEFAULT_RATE_LIMIT: i64 = 600;

/// Width of one slot of a rate-limit [`Window`], in milliseconds.
const SLOT_MS: u64 = 100;
/// Slots counted: one minute and one slot, so every counted request is less than 60 s old at any moment.
const SLOTS: usize = 601;

/// One key's requests over the last minute, in 100 ms slots: a sliding window, so no 60-second span ever lets
/// more than the limit through (a fixed window lets twice the limit through across its edge).
#[derive(Debug, Clone)]
pub struct Window {
    slots: Box<[u32; SLOTS]>,
    /// Absolute slot (time / 100 ms) of the newest slot.
    head: u64,
    total: u64,
}

/// What [`Window::take`] decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    /// The request may proceed.
    pub allowed: bool,
    /// Requests left in the current minute.
    pub remaining: u64,
    /// Milliseconds until one more request is allowed (0 when `remaining > 0`).
    pub retry_ms: u64,
}

impl Default for Window {
    fn default() -> Self {
        Self { slots: Box::new([0; SLOTS]), head: 0, total: 0 }
    }
}

impl Window {
    fn advance(&mut self, now_slot: u64) {
        if now_slot <= self.head {
            return;
        }
        let steps = now_slot - self.head;
        if steps >= SLOTS as u64 {
            self.slots.fill(0);
            self.total = 0;
        } else {
            for k in 1..=steps {
                let i = ((self.head + k) % SLOTS as u64) as usize;
                self.total -= u64::from(self.slots[i]);
                self.slots[i] = 0;
            }
        }
        self.head = now_slot;
    }

    /// Counts a request at `now_ms` (a monotonic clock, milliseconds) against `limit` requests per minute.
    pub fn take(&mut self, now_ms: u64, limit: u64) -> Decision {
        let now_slot = now_ms / SLOT_MS;
        self.advance(now_slot);
        if self.total < limit {
            let i = (now_slot % SLOTS as u64) as usize;
            self.slots[i] = self.slots[i].saturating_add(1);
            self.total += 1;
            let remaining = limit - self.total;
            let retry_ms = if remaining > 0 { 0 } else { self.free_in(now_ms, limit) };
            return Decision { allowed: true, remaining, retry_ms };
        }
        Decision { allowed: false, remaining: 0, retry_ms: self.free_in(now_ms, limit) }
    }

    /// Milliseconds until the oldest counted requests leave the window and the total drops below `limit`.
    fn free_in(&self, now_ms: u64, limit: u64) -> u64 {
        let mut left = self.total;
        let oldest = self.head.saturating_sub(SLOTS as u64 - 1);
        for slot in oldest..=self.head {
            left -= u64::from(self.slots[(slot % SLOTS as u64) as usize]);
            if left < limit {
                return ((slot + SLOTS as u64) * SLOT_MS).saturating_sub(now_ms);
            }
        }
        60_000
    }
}

/// A stored key (never the secret).
#[derive(Debug, Clone, serde::Serialize)]
pub struct KeyInfo {
    /// Row id (what `keys revoke` takes).
    pub id: i64,
    /// Human label.
    pub name: String,
    /// First characters of the key, to recognise it.
    pub prefix: String,
    /// Requests per minute; 0 = unlimited.
    pub rate_limit: i64,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339, when revoked.
    pub revoked_at: Option<String>,
}

impl KeyInfo {
    /// The info of a key either store has just inserted as row `id` at `now`: not revoked.
    pub(crate) fn created(id: i64, name: &str, prefix: String, rate_limit: i64, now: i64) -> Self {
        KeyInfo {
            id,
            name: name.to_owned(),
            prefix,
            rate_limit,
            created_at: crate::time::format(now),
            revoked_at: None,
        }
    }
}

/// What authentication found for a presented key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// Valid: key id and its per-minute limit.
    Valid {
        /// Key row id.
        id: i64,
        /// Requests per minute; 0 = unlimited.
        rate_limit: i64,
    },
    /// Known but revoked.
    Revoked,
    /// Unknown.
    Invalid,
}

fn base64url(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len() * 4 / 3 + 2);
    for chunk in bytes.chunks(3) {
        let n =
            chunk.iter().enumerate().fold(0u32, |acc, (i, b)| acc | u32::from(*b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char::from(A[(n >> (18 - 6 * i)) as usize & 63]));
        }
    }
    out
}

/// SHA-256 of the key text, as stored.
pub fn hash(key: &str) -> [u8; 32] {
    Sha256::digest(key.as_bytes()).into()
}

/// A new key and its shown prefix, once `rate_limit` is checked (either store stores its [`hash`]).
pub(crate) fn mint(rate_limit: i64) -> Result<(String, String)> {
    if rate_limit < 0 {
        bail!("rate limit must be 0 (unlimited) or more requests per minute");
    }
    let mut raw = [0u8; 32];
    getrandom::fill(&mut raw).map_err(|e| anyhow::anyhow!("no randomness from the OS: {e}"))?;
    let key = format!("ioc_{}", base64url(&raw));
    let prefix = key[..12].to_owned();
    Ok((key, prefix))
}

/// Creates a key; returns the secret (shown once) and its info.
pub fn create(
    conn: &Connection,
    name: &str,
    rate_limit: i64,
    now: i64,
) -> Result<(String, KeyInfo)> {
    let (key, prefix) = mint(rate_limit)?;
    conn.execute(
        "INSERT INTO api_keys(name, prefix, hash, rate_limit, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![name, prefix, hash(&key).as_slice(), rate_limit, now],
    )
    .context("storing the key")?;
    Ok((key, KeyInfo::created(conn.last_insert_rowid(), name, prefix, rate_limit, now)))
}

/// The key `ioclens serve --demo` prints: the same key on every start (while it is not revoked), so restarts
/// do not pile up `demo` keys. Its secret (and only this key's) is kept in the store, which is the owner's
/// alone (0600): the demo key is printed on every start anyway. Returns the key and whether it was created.
pub fn demo(conn: &Connection, now: i64) -> Result<(String, bool)> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS demo_key(id INTEGER PRIMARY KEY CHECK (id = 1), key TEXT NOT NULL)",
    )?;
    let kept: Option<String> =
        conn.query_row("SELECT key FROM demo_key WHERE id = 1", [], |r| r.get(0)).optional()?;
    if let Some(key) = kept
        && matches!(authenticate(conn, &key)?, Auth::Valid { .. })
    {
        return Ok((key, false));
    }
    let (key, _) = create(conn, "demo", DEFAULT_RATE_LIMIT, now)?;
    conn.execute("INSERT OR REPLACE INTO demo_key(id, key) VALUES (1, ?1)", [&key])?;
    Ok((key, true))
}

/// Every key, oldest first.
pub fn list(conn: &Connection) -> Result<Vec<KeyInfo>> {
    let mut st = conn.prepare(
        "SELECT id, name, prefix, rate_limit, created_at, revoked_at FROM api_keys ORDER BY id",
    )?;
    let rows = st
        .query_map([], |r| {
            Ok(KeyInfo {
                id: r.get(0)?,
                name: r.get(1)?,
                prefix: r.get(2)?,
                rate_limit: r.get(3)?,
                created_at: crate::time::format(r.get(4)?),
                revoked_at: r.get::<_, Option<i64>>(5)?.map(crate::time::format),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Revokes by id or by prefix; false when no active key matched.
pub fn revoke(conn: &Connection, id_or_prefix: &str, now: i64) -> Result<bool> {
    let n = match id_or_prefix.parse::<i64>() {
        Ok(id) => conn.execute(
            "UPDATE api_keys SET revoked_at = ?1 WHERE id = ?2 AND revoked_at IS NULL",
            params![now, id],
        )?,
        Err(_) => conn.execute(
            "UPDATE api_keys SET revoked_at = ?1 WHERE prefix = ?2 AND revoked_at IS NULL",
            params![now, id_or_prefix],
        )?,
    };
    Ok(n > 0)
}

/// Where `ioclens keys` creates, lists and revokes keys: the `SQLite` store or a `PostgreSQL` one.
pub trait KeyStore {
    /// [`create`].
    ///
    /// # Errors
    /// As [`create`].
    fn create(&mut self, name: &str, rate_limit: i64, now: i64) -> Result<(String, KeyInfo)>;
    /// [`list`].
    ///
    /// # Errors
    /// The store cannot be read.
    fn list(&mut self) -> Result<Vec<KeyInfo>>;
    /// [`revoke`].
    ///
    /// # Errors
    /// The store cannot be written.
    fn revoke(&mut self, id_or_prefix: &str, now: i64) -> Result<bool>;
}

impl KeyStore for Connection {
    fn create(&mut self, name: &str, rate_limit: i64, now: i64) -> Result<(String, KeyInfo)> {
        create(self, name, rate_limit, now)
    }
    fn list(&mut self) -> Result<Vec<KeyInfo>> {
        list(self)
    }
    fn revoke(&mut self, id_or_prefix: &str, now: i64) -> Result<bool> {
        revoke(self, id_or_prefix, now)
    }
}

impl KeyStore for postgres::Client {
    fn create(&mut self, name: &str, rate_limit: i64, now: i64) -> Result<(String, KeyInfo)> {
        crate::store_pg::create_key(self, name, rate_limit, now)
    }
    fn list(&mut self) -> Result<Vec<KeyInfo>> {
        crate::store_pg::list_keys(self)
    }
    fn revoke(&mut self, id_or_prefix: &str, now: i64) -> Result<bool> {
        crate::store_pg::revoke_key(self, id_or_prefix, now)
    }
}

/// Checks a presented key.
pub fn authenticate(conn: &Connection, key: &str) -> Result<Auth> {
    authenticate_hash(conn, &hash(key))
}

/// Checks a presented key by its [`hash`], on either store.
pub fn authenticate_hash(db: &dyn crate::store::Backend, digest: &[u8; 32]) -> Result<Auth> {
    db.authenticate_hash(digest)
}

/// [`authenticate_hash`] on the `SQLite` store.
pub(crate) fn authenticate_lite(conn: &Connection, digest: &[u8; 32]) -> Result<Auth> {
    let found: Option<(i64, i64, Option<i64>)> = conn
        .prepare_cached("SELECT id, rate_limit, revoked_at FROM api_keys WHERE hash = ?1")?
        .query_row([digest.as_slice()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    Ok(match found {
        None => Auth::Invalid,
        Some((_, _, Some(_))) => Auth::Revoked,
        Some((id, rate_limit, None)) => Auth::Valid { id, rate_limit },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_matches_rfc4648_vectors() {
        // RFC 4648 section 10 vectors, without padding.
        assert_eq!(base64url(b"f"), "Zg");
        assert_eq!(base64url(b"fo"), "Zm8");
        assert_eq!(base64url(b"foo"), "Zm9v");
        assert_eq!(base64url(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64url(&[0xfb, 0xff]), "-_8");
    }

    /// No 60-second span lets more than the limit through, wherever the requests fall; a full window frees
    /// itself as its requests age out.
    #[test]
    fn the_window_slides() {
        let mut w = Window::default();
        let limit = 10;
        let mut allowed = Vec::new();
        // A burst at 59.9 s, then another just past the edge of the old fixed window (60.0 s), and on.
        let mut t = 59_900;
        while t < 300_000 {
            let d = w.take(t, limit);
            if d.allowed {
                allowed.push(t);
            } else {
                assert!(d.retry_ms > 0 && d.retry_ms <= 60_100, "{d:?}");
            }
            t += 37;
        }
        for (i, &a) in allowed.iter().enumerate() {
            let in_minute = allowed[i..].iter().take_while(|&&b| b < a + 60_000).count();
            assert!(in_minute <= 10, "{in_minute} requests in the minute from {a} ms");
        }
        // Steady use gets the whole limit each minute, not less.
        assert!(allowed.len() >= 40, "{}", allowed.len());
        let mut w = Window::default();
        for i in 0..10 {
            assert_eq!(w.take(1_000, limit).remaining, 9 - i);
        }
        let refused = w.take(1_050, limit);
        assert!(!refused.allowed);
        assert!((60_000..=60_100).contains(&refused.retry_ms), "{refused:?}");
        assert!(w.take(1_000 + 60_100, limit).allowed);
    }

    #[test]
    fn keys_are_stored_hashed_and_revocable() {
        let dir = std::env::temp_dir().join(format!("ioclens-keys-{}", std::process::id()));
        let conn = crate::store::open(&dir.join("k.db")).unwrap();
        let (key, info) = create(&conn, "ci", 5, 1_700_000_000).unwrap();
        assert_eq!(key.len(), 4 + 43);
        assert!(key.starts_with(&info.prefix));
        let stored: Vec<u8> =
            conn.query_row("SELECT hash FROM api_keys", [], |r| r.get(0)).unwrap();
        assert_eq!(stored, hash(&key).to_vec());
        let secret_in_db: i64 = conn
            .query_row(
                "SELECT count(*) FROM api_keys WHERE name = ?1 OR prefix = ?1",
                [&key],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(secret_in_db, 0);
        assert_eq!(authenticate(&conn, &key).unwrap(), Auth::Valid { id: info.id, rate_limit: 5 });
        assert_eq!(authenticate(&conn, "ioc_nope").unwrap(), Auth::Invalid);
        assert!(revoke(&conn, &info.prefix, 1_700_000_001).unwrap());
        assert_eq!(authenticate(&conn, &key).unwrap(), Auth::Revoked);
        assert!(!revoke(&conn, &info.id.to_string(), 1_700_000_002).unwrap());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn the_demo_key_is_reused_until_revoked() {
        let dir = std::env::temp_dir().join(format!("ioclens-demo-key-{}", std::process::id()));
        let conn = crate::store::open(&dir.join("k.db")).unwrap();
        let (first, created) = demo(&conn, 1_700_000_000).unwrap();
        assert!(created);
        let (again, created) = demo(&conn, 1_700_000_001).unwrap();
        assert_eq!((again.as_str(), created), (first.as_str(), false));
        assert_eq!(list(&conn).unwrap().len(), 1);
        assert!(revoke(&conn, "1", 1_700_000_002).unwrap());
        let (fresh, created) = demo(&conn, 1_700_000_003).unwrap();
        assert!(created && fresh != first);
        assert_eq!(list(&conn).unwrap().iter().filter(|k| k.revoked_at.is_none()).count(), 1);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
