//! A pooled store connection is itself a [`Backend`]: handlers pass `&conn` to the store's functions
//! (`store::lookup(&conn, …)`) whichever store it is (`SQLite` or `PostgreSQL`, [`crate::store::Backend`]).
use super::pool::Pooled;
use crate::store::{Backend, FeedInfo, Filters, Health, Page, Row};
use anyhow::Result;
use ioclens_core::IocKind;

impl Backend for Pooled {
    fn lookup(&self, kind: IocKind, value: &str, port: Option<u16>) -> Result<(Vec<Row>, String)> {
        (**self).lookup(kind, value, port)
    }
    fn feed_version(&self) -> Result<String> {
        (**self).feed_version()
    }
    fn page(
        &self,
        f: &Filters,
        cursor: Option<(i64, i64)>,
        offset: i64,
        limit: i64,
        with_total: bool,
    ) -> Result<Page> {
        (**self).page(f, cursor, offset, limit, with_total)
    }
    fn feeds(&self) -> Result<Vec<FeedInfo>> {
        (**self).feeds()
    }
    fn health(&self) -> Result<Health> {
        (**self).health()
    }
    fn provider_cache_get(
        &self,
        provider: &str,
        kind: IocKind,
        value: &str,
        max_age: i64,
        now: i64,
    ) -> Result<Option<(u16, String, i64)>> {
        (**self).provider_cache_get(provider, kind, value, max_age, now)
    }
    fn provider_cache_put(
        &self,
        provider: &str,
        kind: IocKind,
        value: &str,
        reply: (u16, &str),
        now: i64,
    ) -> Result<()> {
        (**self).provider_cache_put(provider, kind, value, reply, now)
    }
    fn authenticate_hash(&self, digest: &[u8; 32]) -> Result<crate::keys::Auth> {
        (**self).authenticate_hash(digest)
    }
    fn collections(&self) -> Result<Vec<(i64, String, i64)>> {
        (**self).collections()
    }
    fn ingests_after(
        &self,
        feed: Option<i64>,
        floor: i64,
        from: (i64, i64),
    ) -> Result<Vec<(i64, i64, i64)>> {
        (**self).ingests_after(feed, floor, from)
    }
    fn generation_rows(
        &self,
        feed_id: i64,
        generation: i64,
        after: i64,
        cve: Option<bool>,
        limit: usize,
    ) -> Result<Vec<Row>> {
        (**self).generation_rows(feed_id, generation, after, cve, limit)
    }
    fn rate_take(
        &self,
        key_id: i64,
        limit: u64,
        now_ms: u64,
    ) -> Result<Option<crate::keys::Decision>> {
        (**self).rate_take(key_id, limit, now_ms)
    }
    fn set_deadline(&self, deadline: Option<std::time::Instant>) {
        (**self).set_deadline(deadline);
    }
    fn sqlite(&self) -> Option<&rusqlite::Connection> {
        (**self).sqlite()
    }
}
