//! The intel pack a host uses: found in the data directory, validated by the core, reloaded when it changes.
//!
//! Layout (`docs/intel.md`): `<data dir>/intel/pack.bin` is the newest pack and `pack.prev` the one before. A
//! pack that does not validate is skipped with a warning naming the file and the reason; with neither usable,
//! lookups use the embedded tier alone. The CLI and the server share this code.
use ioclens_core::intel::pack::LoadedPack;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

/// The data directory: `flag`, else `IOCLENS_DATA_DIR`, else the platform data directory + `ioclens`.
///
/// # Errors
/// No flag, no variable and no platform data directory.
pub fn data_dir(flag: Option<&Path>) -> anyhow::Result<PathBuf> {
    Ok(match flag {
        Some(p) => p.to_path_buf(),
        None => match std::env::var_os("IOCLENS_DATA_DIR") {
            Some(d) if !d.is_empty() => PathBuf::from(d),
            _ => dirs::data_dir()
                .ok_or_else(|| {
                    anyhow::anyhow!(
                        "no platform data directory: pass --data-dir or set IOCLENS_DATA_DIR"
                    )
                })?
                .join("ioclens"),
        },
    })
}

/// The data directory's `intel/` folder.
///
/// # Errors
/// As [`data_dir`].
pub fn intel_dir(flag: Option<&Path>) -> anyhow::Result<PathBuf> {
    Ok(data_dir(flag)?.join("intel"))
}

/// A pack found in an intel directory, or why none is used.
#[derive(Debug, Default)]
pub struct Found {
    /// The pack, when one validated.
    pub pack: Option<LoadedPack>,
    /// The file it came from.
    pub path: Option<PathBuf>,
    /// One line per pack that was present but unusable (what, why, what is used instead).
    pub warnings: Vec<String>,
}

/// The newest pack of `dir` that validates (`pack.bin`, else `pack.prev`), checked by the core's cheap load check
/// (`Pack::open`; the checksum was verified when the pack was installed).
pub fn newest(dir: &Path) -> Found {
    let mut found = Found::default();
    let candidates = ["pack.bin", "pack.prev"];
    for (i, name) in candidates.iter().enumerate() {
        let path = dir.join(name);
        let next = candidates.get(i + 1).map_or_else(
            || "the embedded intel".to_owned(),
            |n| format!("{} if it is valid, else the embedded intel", dir.join(n).display()),
        );
        match std::fs::read(&path) {
            Ok(bytes) => match LoadedPack::open(bytes) {
                Ok(p) => {
                    found.pack = Some(p);
                    found.path = Some(path);
                    return found;
                }
                Err(e) => found
                    .warnings
                    .push(format!("intel pack {} is unusable ({e}); using {next}", path.display())),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => found
                .warnings
                .push(format!("intel pack {} cannot be read ({e}); using {next}", path.display())),
        }
    }
    found
}

/// The pack a long-running host uses: loaded at start, reloaded when `pack.bin` changes (checked at most every
/// `recheck`), so `ioclens intel update` or `serve --sync` take effect without a restart.
#[derive(Debug)]
pub struct Live {
    dir: PathBuf,
    recheck: Duration,
    state: Mutex<LiveState>,
}

#[derive(Debug)]
struct LiveState {
    checked: Instant,
    stamp: Option<(SystemTime, u64)>,
    pack: Option<Arc<LoadedPack>>,
}

fn stamp(dir: &Path) -> Option<(SystemTime, u64)> {
    let m = std::fs::metadata(dir.join("pack.bin")).ok()?;
    Some((m.modified().ok()?, m.len()))
}

impl Live {
    /// Loads the newest pack of `dir`; warnings go to stderr.
    pub fn new(dir: PathBuf, recheck: Duration) -> Live {
        let live = Live {
            dir,
            recheck,
            state: Mutex::new(LiveState { checked: Instant::now(), stamp: None, pack: None }),
        };
        live.reload();
        live
    }

    /// The intel directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Reloads now; returns the path of the pack in use.
    pub fn reload(&self) -> Option<PathBuf> {
        let s = stamp(&self.dir);
        let found = newest(&self.dir);
        for w in &found.warnings {
            eprintln!("ioclens: warning: {w}");
        }
        let mut st = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        st.checked = Instant::now();
        st.stamp = s;
        st.pack = found.pack.map(Arc::new);
        found.path
    }

    /// The pack in use (reloaded first when `pack.bin` changed since the last check).
    pub fn current(&self) -> Option<Arc<LoadedPack>> {
        let due = {
            let st = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            st.checked.elapsed() >= self.recheck && stamp(&self.dir) != st.stamp
        };
        if due {
            self.reload();
        }
        let mut st = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if st.checked.elapsed() >= self.recheck {
            st.checked = Instant::now();
        }
        st.pack.clone()
    }
}
