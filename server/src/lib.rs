//! `ioclens-server`: the lookup API, the IOC feed API and the remote scorer, on an embedded `SQLite` store.
//!
//! The CLI (`ioclens serve`, `ioclens feed`, `ioclens keys`) calls this library. See `server/README.md` and
//! `docs/api.md`; the `OpenAPI` 3.1 description is `server/openapi.json`, served at `/api/v1/openapi.json`.
//!
//! Unlike `core`, this crate does I/O: it owns the store (`store`), feeds in (`ingest`), keys (`keys`) and HTTP
//! (`api`). Indicator normalisation, ATT&CK and queries come from `ioclens-core`.
#![expect(
    clippy::disallowed_methods,
    reason = "the server reads files and the clock; clippy.toml's list guards the pure core"
)]
pub mod api;
pub mod feedname;
pub mod fetch;
pub mod ingest;
pub mod intel;
pub mod keys;
pub mod normalize;
pub mod sectors;
pub mod store;
pub mod store_pg;
pub mod sync;
pub mod taxii_pull;
pub mod time;

pub use api::{Config, serve};
