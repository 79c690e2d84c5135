//! Generator slot `intel`: writes `core/src/generated/intel*.rs`.
use super::Output;
use anyhow::Result;
use std::path::Path;

pub(crate) fn generate(_root: &Path) -> Result<Vec<Output>> {
    Ok(Vec::new())
}
