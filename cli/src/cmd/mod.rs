//! One module per subcommand.
pub(crate) mod attack;
pub(crate) mod classify;
pub(crate) mod extract;
pub(crate) mod hunt;
pub(crate) mod lookup;
