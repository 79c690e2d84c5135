//! One module per subcommand.
pub(crate) mod classify;
pub(crate) mod extract;
pub(crate) mod lookup;
