//! The intel pack a host uses: found in the data directory, validated by the core, reloaded when it changes.
//!
//! Layout (`docs/intel.md`): `<data dir>/intel/pack.bin` is the newest pack and `pack.prev` the one before. A
//! pack that does not validate is skipped with a warning naming the file and the reason; with neither usable,
//! lookups use the embedded tier alone. The CLI and the server share this code.
use ed25519_dalek::{Signer as _, SigningKey};
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
    key: Option<SigningKey>,
    state: Mutex<LiveState>,
}

#[derive(Debug)]
struct LiveState {
    checked: Instant,
    stamp: Option<(SystemTime, u64)>,
    pack: Option<Arc<LoadedPack>>,
    /// The current pack's `ETag` and signature (hex), computed once per pack.
    signed: Option<(String, String)>,
}

/// The pack a server publishes, with its `ETag` and ed25519 signature (hex).
#[derive(Debug, Clone)]
pub struct Published {
    /// The pack.
    pub pack: Arc<LoadedPack>,
    /// `"` + the first 16 bytes of the pack's SHA-256 trailer in hex + `"`.
    pub etag: String,
    /// The ed25519 signature of the whole pack file, hex (128 digits).
    pub signature: String,
}

use ioclens_core::intel::signature::unhex;
pub use ioclens_core::intel::signature::{hex, parse_public_key, verify};

/// The server's pack-signing key: `intel/signing.key` (the 32-byte ed25519 seed, hex), created on first use
/// with mode 0600.
///
/// # Errors
/// The file cannot be read or created, holds no key, or the OS has no randomness.
pub fn signing_key(dir: &Path) -> anyhow::Result<SigningKey> {
    use std::io::Write as _;
    let path = dir.join("signing.key");
    match std::fs::read_to_string(&path) {
        Ok(text) => unhex::<32>(&text).map(|seed| SigningKey::from_bytes(&seed)).ok_or_else(|| {
            anyhow::anyhow!("{} holds no ed25519 key (64 hex digits)", path.display())
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(dir)?;
            let mut seed = [0u8; 32];
            getrandom::fill(&mut seed)
                .map_err(|e| anyhow::anyhow!("no randomness from the OS: {e}"))?;
            let mut opts = std::fs::OpenOptions::new();
            opts.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
            let mut f = opts
                .open(&path)
                .map_err(|e| anyhow::anyhow!("creating {}: {e}", path.display()))?;
            f.write_all(hex(&seed).as_bytes())?;
            f.sync_all()?;
            Ok(SigningKey::from_bytes(&seed))
        }
        Err(e) => Err(anyhow::anyhow!("reading {}: {e}", path.display())),
    }
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
            key: None,
            state: Mutex::new(LiveState {
                checked: Instant::now(),
                stamp: None,
                pack: None,
                signed: None,
            }),
        };
        live.reload();
        live
    }

    /// Signs what [`Live::published`] hands out with `key`.
    #[must_use]
    pub fn with_key(mut self, key: SigningKey) -> Live {
        self.key = Some(key);
        self
    }

    /// The public half of the signing key, hex; `None` without one.
    pub fn public_key(&self) -> Option<String> {
        self.key.as_ref().map(|k| hex(k.verifying_key().as_bytes()))
    }

    /// The current pack with its `ETag` and signature; `None` without a pack or a signing key.
    pub fn published(&self) -> Option<Published> {
        let pack = self.current()?;
        let key = self.key.as_ref()?;
        let mut st = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if st.pack.as_ref().is_none_or(|p| !Arc::ptr_eq(p, &pack)) {
            // Reloaded since `current`: publish what is loaded now.
            return None;
        }
        let (etag, signature) = st
            .signed
            .get_or_insert_with(|| {
                let b = pack.bytes();
                let trailer = &b[b.len().saturating_sub(32)..];
                (
                    format!("\"{}\"", hex(&trailer[..trailer.len().min(16)])),
                    hex(&key.sign(b).to_bytes()),
                )
            })
            .clone();
        Some(Published { pack, etag, signature })
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
        st.signed = None;
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
