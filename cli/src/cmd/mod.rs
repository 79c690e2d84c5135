//! One module per subcommand.
pub(crate) mod attack;
pub(crate) mod classify;
pub(crate) mod db;
pub(crate) mod extract;
pub(crate) mod feed;
pub(crate) mod hunt;
pub(crate) mod intel;
pub(crate) mod keys;
pub(crate) mod lookup;
pub(crate) mod serve;
pub(crate) mod sync;
pub(crate) mod taxii;
