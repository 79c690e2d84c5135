//! The store connection pool: a fixed set of reader connections, lent one request at a time, with a bounded
//! wait queue and a per-request query time limit.
use super::config::Limits;
use crate::store;
use crate::store::Backend;
use anyhow::{Context as _, Result};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The store connections: a fixed set opened once at start (`Limits::store_connections`), each lent to one
/// request at a time. A request waits for one in a bounded queue; past the bound it is refused at once
/// ([`Busy`]). While lent, a connection interrupts any statement running past the request's deadline.
#[derive(Clone)]
pub(super) struct Pool(Arc<PoolInner>);

struct PoolInner {
    idle: Mutex<Vec<Box<dyn Backend>>>,
    /// The store is shared by replicas (`PostgreSQL`): rate limits are counted in it.
    shared: bool,
    permits: Arc<tokio::sync::Semaphore>,
    waiting: std::sync::atomic::AtomicUsize,
    queue: usize,
    query_timeout: Duration,
}

/// Every store connection is busy and the queue is full: the request is answered `503` with `Retry-After`.
#[derive(Debug)]
pub(super) struct Busy;

impl std::fmt::Display for Busy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the server is busy")
    }
}

impl std::error::Error for Busy {}

pub(super) struct Pooled {
    pool: Pool,
    conn: Option<Box<dyn Backend>>,
    _permit: tokio::sync::OwnedSemaphorePermit,
}

impl std::ops::Deref for Pooled {
    type Target = dyn Backend;
    fn deref(&self) -> &(dyn Backend + 'static) {
        self.conn.as_deref().unwrap_or_else(|| unreachable!("connection taken only on drop"))
    }
}

impl Drop for Pooled {
    fn drop(&mut self) {
        if let Some(c) = self.conn.take() {
            c.set_deadline(None);
            lock(&self.pool.0.idle).push(c);
        }
    }
}

/// Locks a mutex even when a panicking request poisoned it: the guarded data (idle connections, counters,
/// cached keys) stays valid across a panic, and refusing it would turn one panic into a slow server.
pub(super) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A pooled connection: the store, with reads served from the memory-mapped file rather than `pread` copies
/// into each connection's page cache (the copies showed in the profile under load; writes still go through
/// the WAL). The pool is fixed, so the file is mapped `store_connections` times, not once per request.
fn open_reader(path: &std::path::Path) -> Result<Box<dyn Backend>> {
    let c = store::open(path)?;
    c.pragma_update(None, "mmap_size", 256_i64 << 20)?;
    Ok(Box::new(c))
}

impl Pool {
    pub(super) fn open(path: &std::path::Path, limits: &Limits) -> Result<Self> {
        let n = limits.store_connections.max(1);
        // A `postgres://` URL: `n` connections per replica (docs/deploy.md, "Connections").
        let url = path.to_str().filter(|p| crate::store_pg::is_url(p));
        let conns = match url {
            Some(url) => crate::store_pg::open_pool(url, n, limits.query_timeout)?,
            None => (0..n).map(|_| open_reader(path)).collect::<Result<Vec<_>>>()?,
        };
        Ok(Self(Arc::new(PoolInner {
            idle: Mutex::new(conns),
            shared: url.is_some(),
            permits: Arc::new(tokio::sync::Semaphore::new(n)),
            waiting: std::sync::atomic::AtomicUsize::new(0),
            queue: limits.queue,
            query_timeout: limits.query_timeout,
        })))
    }

    /// The store is shared by replicas (`PostgreSQL`): rate limits are counted in it.
    pub(super) fn shared(&self) -> bool {
        self.0.shared
    }

    /// A connection for one request, its statements interrupted after `query_timeout`.
    pub(super) async fn get(&self) -> Result<Pooled> {
        let p = &self.0;
        let permit = if let Ok(permit) = p.permits.clone().try_acquire_owned() {
            permit
        } else {
            if p.waiting.fetch_add(1, Ordering::AcqRel) >= p.queue {
                p.waiting.fetch_sub(1, Ordering::AcqRel);
                return Err(Busy.into());
            }
            let permit = p.permits.clone().acquire_owned().await;
            p.waiting.fetch_sub(1, Ordering::AcqRel);
            permit.context("the store pool is closed")?
        };
        let conn = lock(&p.idle)
            .pop()
            .unwrap_or_else(|| unreachable!("a permit is held only with an idle connection"));
        let deadline = Instant::now() + p.query_timeout;
        conn.set_deadline(Some(deadline));
        Ok(Pooled { pool: self.clone(), conn: Some(conn), _permit: permit })
    }
}
