//! Finding and decoding the files of a scanned tree, shared by every frontend.
//!
//! [`walk`] lists the files a frontend wants under a directory, through the [`Sandbox`]:
//! hidden directories are skipped, symlinks are followed only when they resolve inside the
//! scanned tree (a link out of it is an error and is not followed), files that are not regular
//! (FIFOs, devices) are errors and are not read, symlink loops are reported.
//! [`decode`] turns a file's bytes into text: UTF-8 with or without a byte-order mark, and
//! UTF-16 (LE or BE, with a byte-order mark or detected, as PowerShell writes it).

use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use thiserror::Error;

use crate::{Refusal, Sandbox, ScanError};

/// Why bytes are not text.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum DecodeError {
    /// Contains NUL bytes (and is not UTF-16).
    #[error("file looks binary (contains NUL bytes), skipped")]
    Binary,
    /// Not valid UTF-8; `line` is the 1-based line of the first bad byte.
    #[error("file is not valid UTF-8, skipped")]
    NotUtf8 { line: u32 },
    /// UTF-16 with an unpaired surrogate or an odd number of bytes.
    #[error("file is not valid {0}, skipped")]
    BadUtf16(&'static str),
}

/// `Some("UTF-16LE")`/`Some("UTF-16BE")` for text written in UTF-16 (with a byte-order mark,
/// or ASCII text whose every other byte is NUL, as PowerShell's `Out-File` writes it).
pub fn utf16(bytes: &[u8]) -> Option<&'static str> {
    match bytes {
        [0xFF, 0xFE, ..] => return Some("UTF-16LE"),
        [0xFE, 0xFF, ..] => return Some("UTF-16BE"),
        _ => {}
    }
    let sample = bytes.get(..bytes.len().min(4096) & !1)?;
    if sample.len() < 4 {
        return None;
    }
    let pairs = sample.len() / 2;
    let (mut even_nul, mut odd_nul) = (0usize, 0usize);
    for p in sample.chunks_exact(2) {
        if let [a, b] = p {
            even_nul += usize::from(*a == 0);
            odd_nul += usize::from(*b == 0);
        }
    }
    // Nearly every code unit of ASCII text in UTF-16 has one NUL byte, always on the same side.
    if odd_nul * 10 >= pairs * 9 && even_nul * 10 < pairs {
        Some("UTF-16LE")
    } else if even_nul * 10 >= pairs * 9 && odd_nul * 10 < pairs {
        Some("UTF-16BE")
    } else {
        None
    }
}

/// Decode a file's bytes: UTF-8 (a leading byte-order mark dropped) or UTF-16 (see
/// [`utf16`]; its byte-order mark dropped). NUL bytes in what is not UTF-16 make it binary.
pub fn decode(bytes: Vec<u8>) -> Result<String, DecodeError> {
    if let Some(enc) = utf16(&bytes) {
        let body = match bytes.get(..2) {
            Some([0xFF, 0xFE]) | Some([0xFE, 0xFF]) => bytes.get(2..).unwrap_or_default(),
            _ => bytes.as_slice(),
        };
        if body.len() % 2 != 0 {
            return Err(DecodeError::BadUtf16(enc));
        }
        let units = body.chunks_exact(2).map(|p| match (p, enc) {
            ([a, b], "UTF-16LE") => u16::from_le_bytes([*a, *b]),
            ([a, b], _) => u16::from_be_bytes([*a, *b]),
            _ => 0,
        });
        let text: String = char::decode_utf16(units)
            .collect::<Result<_, _>>()
            .map_err(|_| DecodeError::BadUtf16(enc))?;
        return Ok(match text.strip_prefix('\u{feff}') {
            Some(t) => t.to_string(),
            None => text,
        });
    }
    if bytes.contains(&0) {
        return Err(DecodeError::Binary);
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        let upto = e.utf8_error().valid_up_to();
        let line = e
            .as_bytes()
            .get(..upto)
            .map_or(0, |b| b.iter().filter(|c| **c == b'\n').count() + 1);
        DecodeError::NotUtf8 {
            line: u32::try_from(line).unwrap_or(u32::MAX),
        }
    })?;
    Ok(match text.strip_prefix('\u{feff}') {
        Some(t) => t.to_string(),
        None => text,
    })
}

/// Lexically normalise a path: drop `.`, resolve `..` against the previous component.
pub fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// `path` relative to `base`, with `/` separators (`../x/main.tf` when outside).
pub fn relative(path: &Path, base: &Path) -> String {
    if let Ok(r) = path.strip_prefix(base) {
        let s = slash(r);
        return if s.is_empty() { ".".into() } else { s };
    }
    let pc: Vec<Component> = path.components().collect();
    let bc: Vec<Component> = base.components().collect();
    let common = pc.iter().zip(bc.iter()).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..bc.len() {
        out.push("..");
    }
    for c in pc.iter().skip(common) {
        out.push(c.as_os_str());
    }
    slash(&out)
}

fn slash(p: &Path) -> String {
    p.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Which files a [`walk`] lists.
#[derive(Clone, Copy, Debug)]
pub struct WalkFilter {
    /// Whether a file name is wanted (`main.tf`, `template.yaml`).
    pub file: fn(&str) -> bool,
    /// Directory names not entered, besides hidden ones (`node_modules`).
    pub skip_dirs: &'static [&'static str],
}

/// Every wanted file under `root` (normalised paths, sorted), and the errors met: symlinks
/// that resolve outside `sandbox` (not followed), wanted names that are not regular files,
/// symlink loops, unreadable directories. Errors name paths relative to `root`, line 0.
pub fn walk(root: &Path, sandbox: &Sandbox, filter: WalkFilter) -> (Vec<PathBuf>, Vec<ScanError>) {
    let wanted = filter.file;
    let skip_dirs = filter.skip_dirs;
    let refused: Arc<Mutex<Vec<ScanError>>> = Arc::new(Mutex::new(Vec::new()));
    let (sb, rf, base) = (sandbox.clone(), refused.clone(), root.to_path_buf());
    let walker = ignore::WalkBuilder::new(root)
        .hidden(true)
        .git_ignore(false)
        .git_global(false)
        .git_exclude(false)
        .ignore(false)
        .parents(false)
        .require_git(false)
        .follow_links(true)
        .filter_entry(move |e| {
            if e.depth() == 0 {
                return true;
            }
            let name = e.file_name().to_string_lossy();
            if skip_dirs.contains(&name.as_ref()) && e.path().is_dir() {
                return false;
            }
            if !e.path_is_symlink() {
                return true;
            }
            // Only directories and wanted files matter (a `moat.toml` link is the
            // configuration's business).
            if !wanted(&name) && !e.path().is_dir() {
                return false;
            }
            let shown = relative(&normalize(e.path()), &base);
            match sb.resolve(e.path(), &shown) {
                Ok(_) => true,
                // A dangling link is not worth an error unless it names a wanted file.
                Err(Refusal::Io { .. }) if !wanted(&name) => false,
                Err(r) => {
                    if let Ok(mut v) = rf.lock() {
                        v.push(ScanError {
                            file: shown,
                            line: 0,
                            message: r.to_string(),
                        });
                    }
                    false
                }
            }
        })
        .build();
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for entry in walker {
        match entry {
            Ok(e) => {
                let name = e.file_name().to_string_lossy();
                if !wanted(&name) || e.depth() == 0 {
                    continue;
                }
                let p = normalize(e.path());
                match e.file_type() {
                    Some(t) if t.is_file() => files.push(p),
                    Some(t) if t.is_dir() => {}
                    Some(t) => {
                        let shown = relative(&p, root);
                        errors.push(ScanError {
                            file: shown.clone(),
                            line: 0,
                            message: Refusal::NotRegular {
                                shown,
                                kind: crate::sandbox::kind_of(&t),
                            }
                            .to_string(),
                        });
                    }
                    None => {}
                }
            }
            Err(err) => {
                // A dangling symlink that is not a wanted file is nothing the frontend reads.
                let irrelevant = err_path(&err).is_some_and(|p| {
                    !p.is_dir()
                        && p.symlink_metadata()
                            .is_ok_and(|m| m.file_type().is_symlink())
                        && !p.file_name().is_some_and(|n| wanted(&n.to_string_lossy()))
                });
                if !irrelevant {
                    errors.push(walk_error(&err, root));
                }
            }
        }
    }
    if let Ok(mut v) = refused.lock() {
        errors.append(&mut v);
    }
    files.sort();
    errors.sort();
    (files, errors)
}

/// The path an error of the walker is about.
fn err_path(err: &ignore::Error) -> Option<&Path> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path),
        ignore::Error::Loop { child, .. } => Some(child),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            err_path(err)
        }
        _ => None,
    }
}

fn walk_error(err: &ignore::Error, root: &Path) -> ScanError {
    let file = err_path(err)
        .map(|p| relative(&normalize(p), root))
        .unwrap_or_default();
    let message = match err {
        ignore::Error::Loop { .. } => "symlink loop, not followed".to_string(),
        other => {
            // Lowercase the first letter only: the text names paths, which keep their case.
            let text = other.to_string();
            let mut c = text.chars();
            let text = match c.next() {
                Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
                None => text,
            };
            format!("cannot walk directory: {text}")
        }
    };
    ScanError {
        file,
        line: 0,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16le(s: &str, bom: bool) -> Vec<u8> {
        let mut out = if bom { vec![0xFF, 0xFE] } else { Vec::new() };
        out.extend(s.encode_utf16().flat_map(u16::to_le_bytes));
        out
    }

    #[test]
    fn decodes() {
        assert_eq!(decode(b"a: 1\n".to_vec()).unwrap(), "a: 1\n");
        assert_eq!(decode(b"\xEF\xBB\xBFa: 1\n".to_vec()).unwrap(), "a: 1\n");
        assert_eq!(decode(utf16le("a: é\n", true)).unwrap(), "a: é\n");
        assert_eq!(
            decode(utf16le("Resources: {}\n", false)).unwrap(),
            "Resources: {}\n"
        );
        let mut be = vec![0xFE, 0xFF];
        be.extend("x: 1".encode_utf16().flat_map(u16::to_be_bytes));
        assert_eq!(decode(be).unwrap(), "x: 1");
        assert_eq!(
            decode(b"a\nb\n\xFF\n".to_vec()),
            Err(DecodeError::NotUtf8 { line: 3 })
        );
        assert_eq!(decode(b"a\0b".to_vec()), Err(DecodeError::Binary));
        // An unpaired surrogate.
        assert_eq!(
            decode(vec![0xFF, 0xFE, 0x00, 0xD8, 0x41, 0x00]),
            Err(DecodeError::BadUtf16("UTF-16LE"))
        );
        assert_eq!(
            decode(vec![0xFF, 0xFE, 0x41]),
            Err(DecodeError::BadUtf16("UTF-16LE"))
        );
    }
}
