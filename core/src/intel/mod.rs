//! Warninglists and offline intel packs, compiled from `data/` by `cargo xtask codegen`.
