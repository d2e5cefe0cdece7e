//! Confined reads from a scanned tree, shared by every frontend.
//!
//! A scanned repository is untrusted: it may hold symlinks to `/etc/shadow`, to
//! `/proc/self/environ` (CI secrets), to `/dev/zero` (endless), to a FIFO or `/dev/stdin`
//! (a read that never returns), and expressions such as `file("../../../etc/passwd")`.
//! Every read of a file named by the scanned tree goes through a [`Sandbox`]:
//!
//! 1. the path is resolved to its real path (every symlink followed, `..` resolved);
//! 2. the real path must lie inside one of the sandbox's roots (the scanned directory, after
//!    resolving its own symlinks);
//! 3. it must be a regular file (not a directory, FIFO, socket or device), checked before it
//!    is opened (opening a FIFO blocks) and again on the open handle;
//! 4. at most `max_bytes` are read, through a bounded reader, so a file that grows while it
//!    is read cannot exceed the cap.
//!
//! A refusal is a [`Refusal`] that the frontend turns into an `errors` entry (file, line, why);
//! the value that needed the file becomes unknown.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use thiserror::Error;

/// The default cap on one file read from a scanned tree.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;

/// Why a read was refused.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum Refusal {
    /// The real path (after symlinks) is outside the scanned tree.
    #[error("`{shown}` resolves outside the scanned tree, not read")]
    Outside { shown: String },
    /// Not a regular file.
    #[error("`{shown}` is {kind}, not a regular file, not read")]
    NotRegular { shown: String, kind: &'static str },
    /// Larger than the cap.
    #[error("`{shown}` is larger than {max} bytes, not read")]
    TooLarge { shown: String, max: u64 },
    /// Does not exist, or a symlink loop, or permission denied.
    #[error("cannot read `{shown}`: {reason}")]
    Io { shown: String, reason: String },
}

/// A set of directories that reads are confined to.
#[derive(Clone, Debug, Default)]
pub struct Sandbox {
    /// Real (canonical) paths of the roots.
    roots: Vec<PathBuf>,
    /// The roots as given (absolute, lexically normalised), for the lexical pre-check.
    given: Vec<PathBuf>,
    /// Cap on one read.
    pub max_bytes: u64,
}

impl Sandbox {
    /// A sandbox confined to `root` (a directory; a file's parent directory is used for a
    /// file). The root itself may be reached through symlinks: the user named it.
    pub fn new(root: &Path) -> Sandbox {
        let mut s = Sandbox {
            roots: Vec::new(),
            given: Vec::new(),
            max_bytes: DEFAULT_MAX_FILE_BYTES,
        };
        s.allow(root);
        s
    }

    /// A sandbox that allows no path at all (for in-memory evaluation).
    pub fn deny_all() -> Sandbox {
        Sandbox {
            roots: Vec::new(),
            given: Vec::new(),
            max_bytes: DEFAULT_MAX_FILE_BYTES,
        }
    }

    /// Also allow reads under `dir` (a path the user named on the command line).
    pub fn allow(&mut self, dir: &Path) {
        let real = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
        let real = if real.is_file() {
            real.parent().map(Path::to_path_buf).unwrap_or(real)
        } else {
            real
        };
        if !self.roots.contains(&real) {
            self.roots.push(real);
        }
        let given = lexical(dir);
        let given = if dir.is_file() {
            given.parent().map(Path::to_path_buf).unwrap_or(given)
        } else {
            given
        };
        if !self.given.contains(&given) {
            self.given.push(given);
        }
    }

    /// Whether the real path `real` is inside a root.
    fn inside(&self, real: &Path) -> bool {
        self.roots.iter().any(|r| real.starts_with(r))
    }

    /// Resolve `path` and check that it lies inside the sandbox. Returns the real path.
    /// `shown` is how the path is named in a refusal (as the user wrote it).
    pub fn resolve(&self, path: &Path, shown: &str) -> Result<PathBuf, Refusal> {
        // A path that is outside the tree as written is refused without touching the file
        // system, so that whether it exists is not revealed either.
        let written = lexical(path);
        if !self
            .given
            .iter()
            .chain(&self.roots)
            .any(|r| written.starts_with(r))
        {
            return Err(Refusal::Outside {
                shown: shown.to_string(),
            });
        }
        let real = std::fs::canonicalize(path).map_err(|e| Refusal::Io {
            shown: shown.to_string(),
            reason: io_reason(&e),
        })?;
        if !self.inside(&real) {
            return Err(Refusal::Outside {
                shown: shown.to_string(),
            });
        }
        Ok(real)
    }

    /// Whether `path` resolves inside the sandbox to a regular file (for `fileexists`).
    pub fn is_file(&self, path: &Path) -> Result<bool, Refusal> {
        match self.resolve(path, &path.to_string_lossy()) {
            Ok(real) => Ok(std::fs::metadata(real).is_ok_and(|m| m.is_file())),
            Err(Refusal::Io { .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Read a file of the scanned tree: confined, regular files only, at most `max_bytes`.
    pub fn read(&self, path: &Path, shown: &str) -> Result<Vec<u8>, Refusal> {
        let real = self.resolve(path, shown)?;
        read_regular(&real, shown, self.max_bytes)
    }
}

/// `path` made absolute and lexically normalised (`.` dropped, `..` applied).
fn lexical(path: &Path) -> PathBuf {
    use std::path::Component;
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::new();
    for c in abs.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Read a regular file with a size cap, wherever it is (for files the user named on the
/// command line, which are trusted as to location but not as to kind or size).
pub fn read_regular(path: &Path, shown: &str, max_bytes: u64) -> Result<Vec<u8>, Refusal> {
    let io = |e: std::io::Error| Refusal::Io {
        shown: shown.to_string(),
        reason: io_reason(&e),
    };
    // Checked before opening: opening a FIFO blocks until a writer appears.
    let meta = std::fs::metadata(path).map_err(io)?;
    check_kind(&meta, shown)?;
    if meta.len() > max_bytes {
        return Err(Refusal::TooLarge {
            shown: shown.to_string(),
            max: max_bytes,
        });
    }
    let file = File::open(path).map_err(io)?;
    // Checked again on the handle: the path may have been swapped since.
    check_kind(&file.metadata().map_err(io)?, shown)?;
    let mut buf = Vec::new();
    file.take(max_bytes.saturating_add(1))
        .read_to_end(&mut buf)
        .map_err(io)?;
    if buf.len() as u64 > max_bytes {
        return Err(Refusal::TooLarge {
            shown: shown.to_string(),
            max: max_bytes,
        });
    }
    Ok(buf)
}

fn check_kind(meta: &std::fs::Metadata, shown: &str) -> Result<(), Refusal> {
    if meta.is_file() {
        return Ok(());
    }
    Err(Refusal::NotRegular {
        shown: shown.to_string(),
        kind: kind_of(&meta.file_type()),
    })
}

/// A file type in words, for messages.
pub fn kind_of(t: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_dir() {
        "a directory"
    } else if t.is_symlink() {
        "a symlink"
    } else if t.is_file() {
        "a regular file"
    } else {
        "a special file"
    }
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => {
            let s = e.to_string();
            // "Too many levels of symbolic links (os error 40)" -> lowercase, no os code.
            let s = s.split(" (os error").next().unwrap_or(&s).to_string();
            let mut c = s.chars();
            match c.next() {
                Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
                None => s,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn refuses_symlinks_out_of_the_tree_devices_and_fifos() {
        let outside = tempfile_dir("outside");
        let secret = outside.join("secret.txt");
        std::fs::write(&secret, "MOAT-SENTINEL").unwrap();
        let root = tempfile_dir("root");
        std::fs::write(root.join("ok.txt"), "fine").unwrap();
        std::os::unix::fs::symlink(&secret, root.join("leak.txt")).unwrap();
        std::os::unix::fs::symlink("/dev/zero", root.join("zero.tf")).unwrap();
        std::os::unix::fs::symlink("ok.txt", root.join("inner.txt")).unwrap();
        let fifo = root.join("pipe.tf");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        let sb = Sandbox::new(&root);
        assert_eq!(sb.read(&root.join("ok.txt"), "ok.txt").unwrap(), b"fine");
        assert_eq!(
            sb.read(&root.join("inner.txt"), "inner.txt").unwrap(),
            b"fine"
        );
        assert_eq!(
            sb.read(&root.join("leak.txt"), "leak.txt"),
            Err(Refusal::Outside {
                shown: "leak.txt".into()
            })
        );
        let name = outside.file_name().unwrap();
        assert_eq!(
            sb.read(&root.join("..").join(name).join("secret.txt"), "x"),
            Err(Refusal::Outside { shown: "x".into() })
        );
        assert_eq!(
            sb.read(&secret, "x"),
            Err(Refusal::Outside { shown: "x".into() })
        );
        // Outside and missing: refused the same way (existence is not revealed).
        assert_eq!(
            sb.is_file(&outside.join("nothing-here")),
            Err(Refusal::Outside {
                shown: outside.join("nothing-here").to_string_lossy().into_owned()
            })
        );
        // /dev/zero is outside the tree; the kind is checked too when reading a named file.
        assert!(matches!(
            sb.read(&root.join("zero.tf"), "zero.tf"),
            Err(Refusal::Outside { .. })
        ));
        assert_eq!(
            read_regular(Path::new("/dev/zero"), "z", 10),
            Err(Refusal::NotRegular {
                shown: "z".into(),
                kind: "a character device"
            })
        );
        if made.is_ok_and(|s| s.success()) {
            assert_eq!(
                sb.read(&fifo, "pipe.tf"),
                Err(Refusal::NotRegular {
                    shown: "pipe.tf".into(),
                    kind: "a FIFO"
                })
            );
        }
        let mut small = sb.clone();
        small.max_bytes = 2;
        assert!(matches!(
            small.read(&root.join("ok.txt"), "ok.txt"),
            Err(Refusal::TooLarge { max: 2, .. })
        ));
        assert!(matches!(
            sb.read(&root.join("missing"), "missing"),
            Err(Refusal::Io { .. })
        ));
        let _ = std::fs::remove_dir_all(&root);
        let _ = std::fs::remove_dir_all(&outside);
    }

    fn tempfile_dir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!(
            "moat-sandbox-{tag}-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }
}
