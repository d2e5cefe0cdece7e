//! Finding and reading files.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use moat_model::{Refusal, Sandbox};

use moat_model::ScanError;

use crate::error::TfError;
use crate::ir::Body;
use crate::source::SrcFile;

/// Files larger than this are skipped with an error.
pub(crate) const MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;

/// Lexically normalise a path: drop `.`, resolve `..` against the previous component.
pub(crate) fn normalize(p: &Path) -> PathBuf {
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
pub(crate) fn relative(path: &Path, base: &Path) -> String {
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

pub(crate) fn is_tf(name: &str) -> bool {
    name.ends_with(".tf") || name.ends_with(".tf.json")
}

/// Walk `root` for `.tf`/`.tf.json` files, grouped by directory. Hidden directories (and so
/// `.terraform`) are skipped; symlinks are followed when they resolve inside the sandbox
/// (loops reported); a symlink out of the scanned tree, and a Terraform file that is not a
/// regular file (FIFO, device), is an error and is not read.
pub(crate) fn walk(
    root: &Path,
    sandbox: &Sandbox,
) -> (BTreeMap<PathBuf, Vec<PathBuf>>, Vec<ScanError>) {
    walk_matching(root, sandbox, is_tf)
}

/// [`walk`] for the files whose name `wanted` accepts (the plan frontend's `.json` files).
pub(crate) fn walk_matching(
    root: &Path,
    sandbox: &Sandbox,
    wanted: fn(&str) -> bool,
) -> (BTreeMap<PathBuf, Vec<PathBuf>>, Vec<ScanError>) {
    let mut dirs: BTreeMap<PathBuf, Vec<PathBuf>> = BTreeMap::new();
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
            if e.depth() == 0 || !e.path_is_symlink() {
                return true;
            }
            // Only directories and Terraform files matter to the frontend (a `moat.toml` link
            // is the configuration's business).
            if !wanted(&e.file_name().to_string_lossy()) && !e.path().is_dir() {
                return false;
            }
            let shown = relative(&normalize(e.path()), &base);
            match sb.resolve(e.path(), &shown) {
                Ok(_) => true,
                // A dangling link is not worth an error unless it names a Terraform file.
                Err(Refusal::Io { .. }) if !wanted(&e.file_name().to_string_lossy()) => false,
                Err(r) => {
                    if let Ok(mut v) = rf.lock() {
                        v.push(ScanError {
                            file: shown,
                            line: 0,
                            message: TfError::Refused(r.to_string()).to_string(),
                        });
                    }
                    false
                }
            }
        })
        .build();
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
                    Some(t) if t.is_file() => {
                        let dir = p.parent().map(Path::to_path_buf).unwrap_or_default();
                        dirs.entry(dir).or_default().push(p);
                    }
                    Some(t) if t.is_dir() => {}
                    Some(t) => {
                        let shown = relative(&p, root);
                        errors.push(ScanError {
                            file: shown.clone(),
                            line: 0,
                            message: TfError::Refused(
                                Refusal::NotRegular {
                                    shown,
                                    kind: moat_model::sandbox::kind_of(&t),
                                }
                                .to_string(),
                            )
                            .to_string(),
                        });
                    }
                    None => {}
                }
            }
            Err(err) => {
                // A dangling symlink that is not a Terraform file (a `moat.toml` link is the
                // configuration's business) is nothing the frontend reads.
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
    for files in dirs.values_mut() {
        files.sort();
    }
    (dirs, errors)
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
        ignore::Error::Loop { .. } => TfError::SymlinkLoop.to_string(),
        other => {
            // Lowercase the first letter only: the text names paths, which keep their case.
            let text = other.to_string();
            let mut c = text.chars();
            let text = match c.next() {
                Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
                None => text,
            };
            TfError::Walk(text).to_string()
        }
    };
    ScanError {
        file,
        line: 0,
        message,
    }
}

/// Read a file of the scanned tree as text, through the sandbox (confined to the scanned tree,
/// regular files only, size-capped). Oversized, binary and non-UTF-8 files are errors.
pub(crate) fn read_source(
    sandbox: &Sandbox,
    abs: &Path,
    rel: Arc<str>,
) -> Result<Arc<SrcFile>, ScanError> {
    let bytes = sandbox
        .read(abs, &rel)
        .map_err(|r| refusal_error(&rel, r))?;
    source_from_bytes(bytes, rel)
}

/// Read a file the user named on the command line: anywhere, but a regular file, size-capped.
pub(crate) fn read_named_source(abs: &Path, rel: Arc<str>) -> Result<Arc<SrcFile>, ScanError> {
    let bytes = moat_model::sandbox::read_regular(abs, &rel, MAX_FILE_BYTES)
        .map_err(|r| refusal_error(&rel, r))?;
    source_from_bytes(bytes, rel)
}

pub(crate) fn refusal_error(rel: &str, r: Refusal) -> ScanError {
    let message = match r {
        Refusal::TooLarge { .. } => TfError::TooLarge.to_string(),
        Refusal::Io { reason, .. } => TfError::Read(reason).to_string(),
        other => TfError::Refused(other.to_string()).to_string(),
    };
    ScanError {
        file: rel.to_string(),
        line: 0,
        message,
    }
}

/// Turn bytes into a source file (shared by the fuzz entry point).
pub(crate) fn source_from_bytes(bytes: Vec<u8>, rel: Arc<str>) -> Result<Arc<SrcFile>, ScanError> {
    let err = |e: TfError| ScanError {
        file: rel.to_string(),
        line: 0,
        message: e.to_string(),
    };
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(err(TfError::TooLarge));
    }
    if let Some(enc) = utf16(&bytes) {
        return Err(err(TfError::Utf16(enc)));
    }
    if bytes.contains(&0) {
        return Err(err(TfError::Binary));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        let upto = e.utf8_error().valid_up_to();
        let line = e
            .as_bytes()
            .get(..upto)
            .map(|b| b.iter().filter(|c| **c == b'\n').count() + 1)
            .unwrap_or(0);
        ScanError {
            file: rel.to_string(),
            line: line as u32,
            message: TfError::NotUtf8.to_string(),
        }
    })?;
    let text = match text.strip_prefix('\u{feff}') {
        Some(t) => t.to_string(),
        None => text,
    };
    Ok(Arc::new(SrcFile::new(rel, Arc::from(text))))
}

/// Parse a source file according to its extension.
pub(crate) fn parse_source(file: &Arc<SrcFile>) -> Result<Body, ScanError> {
    if file.rel.ends_with(".json") {
        crate::json::parse_json(file)
    } else {
        crate::parse::parse_hcl(file)
    }
}

/// `Some("UTF-16LE")`/`Some("UTF-16BE")` for text written in UTF-16 (with a byte-order mark,
/// or ASCII text whose every other byte is NUL, as PowerShell's `Out-File` writes it).
pub(crate) fn utf16(bytes: &[u8]) -> Option<&'static str> {
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
