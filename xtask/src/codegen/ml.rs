//! Generator slot `ml`: writes `core/src/generated/ml*.rs`.
use super::Output;
use anyhow::Result;
use std::path::Path;

pub(crate) fn generate(_root: &Path) -> Result<Vec<Output>> {
    Ok(Vec::new())
}
