//! Reading PATH arguments into estates, once, with every frontend: the [`Workspace`] that
//! every analysis works on, and what could not be read in it ([`NothingRead`], errors,
//! notes), computed here and nowhere else.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use moat_model::{Estate, Limits, Mode, Note, ScanError, UnreadModule};

use crate::Error;

/// What every frontend needs besides the paths.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Terraform variables (`--var K=V`), later wins.
    pub vars: Vec<(String, String)>,
    /// Terraform variable files (`.tfvars`, `.tfvars.json`).
    pub var_files: Vec<PathBuf>,
    /// CloudFormation parameters (`--parameter K=V`), later wins; pseudo parameters
    /// (`AWS::Region`) too.
    pub parameters: Vec<(String, String)>,
    /// CloudFormation parameter files (`--parameter-file F`): the CloudFormation CLI's JSON
    /// format or the template configuration file format.
    pub parameter_files: Vec<PathBuf>,
    /// Evaluation limits (see `moat_model::Limits` and docs/RELIABILITY.md).
    pub limits: Limits,
}

impl LoadOptions {
    /// Every variable file and parameter file must exist and be a file.
    pub fn check(&self) -> Result<(), Error> {
        for (what, files) in [
            ("variable file", &self.var_files),
            ("parameter file", &self.parameter_files),
        ] {
            for f in files {
                if !f.is_file() {
                    return Err(Error::usage(format!(
                        "{what} `{}` does not exist or is not a file",
                        f.display()
                    )));
                }
            }
        }
        Ok(())
    }
}

/// A frontend: reads what it understands under a path into estates.
pub struct Frontend {
    /// For messages once there are several frontends.
    pub name: &'static str,
    pub load: fn(&Path, &LoadOptions) -> Vec<Estate>,
}

fn terraform(path: &Path, opts: &LoadOptions) -> Vec<Estate> {
    let opts = moat_terraform::Options {
        vars: opts.vars.clone(),
        var_files: opts.var_files.clone(),
        limits: opts.limits,
    };
    moat_terraform::load(path, &opts)
}

fn terraform_plan(path: &Path, opts: &LoadOptions) -> Vec<Estate> {
    let opts = moat_terraform::Options {
        vars: Vec::new(),
        var_files: Vec::new(),
        limits: opts.limits,
    };
    moat_terraform::plan::load(path, &opts)
}

fn cloudformation(path: &Path, opts: &LoadOptions) -> Vec<Estate> {
    let opts = moat_cloudformation::Options {
        parameters: opts.parameters.clone(),
        parameter_files: opts.parameter_files.clone(),
        limits: opts.limits,
    };
    moat_cloudformation::load(path, &opts)
}

/// Every frontend, in the order they run. Each decides by content which files are its own
/// (a `.json` file may be a CloudFormation template, a Terraform plan or neither). Inventory
/// and Kubernetes join here.
pub const FRONTENDS: &[Frontend] = &[
    Frontend {
        name: "terraform",
        load: terraform,
    },
    Frontend {
        name: "terraform-plan",
        load: terraform_plan,
    },
    Frontend {
        name: "cloudformation",
        load: cloudformation,
    },
];

/// The paths to read: the arguments, or the current directory. A path that does not exist is
/// a usage error.
pub fn check_paths(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Error> {
    let paths = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths.to_vec()
    };
    for p in &paths {
        if !p.exists() {
            return Err(Error::usage(format!(
                "path `{}` does not exist",
                p.display()
            )));
        }
    }
    Ok(paths)
}

/// The estates read under one PATH argument (a Terraform root module each, later a
/// CloudFormation stack...).
#[derive(Debug)]
pub struct Root {
    pub path: PathBuf,
    pub estates: Vec<Estate>,
}

/// Why there is nothing to analyse under the paths.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NothingRead {
    /// No supported file was found (a wrong PATH in CI must not pass).
    NoFile,
    /// Files were found, but none could be read: every file that was read has an error and
    /// no resource came out ([`Workspace::errors`] says why).
    Unreadable,
    /// Files were read, but no resource came out of them, because the modules that declare
    /// the resources could not be read (not downloaded, no Terraform files):
    /// [`Workspace::unchecked`] names the module calls.
    NothingChecked,
}

impl std::fmt::Display for NothingRead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            NothingRead::NoFile => {
                "no file to analyse (Terraform `.tf`, `.tf.json`, a Terraform plan JSON, a CloudFormation template) was found"
            }
            NothingRead::Unreadable => "no file could be read",
            NothingRead::NothingChecked => {
                "nothing could be checked: no resource was read, because the modules that declare them could not be read"
            }
        })
    }
}

/// A module call that left its root module with no resource to check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unchecked {
    /// The module call, its file named as in reports.
    pub module: UnreadModule,
    /// The root module, as named in reports (empty for the top of a single path).
    pub root: String,
}

impl Unchecked {
    /// The error entry of a scan report for this module call.
    pub fn message(&self) -> String {
        let m = &self.module;
        let what = match &m.source {
            Some(src) => format!("module `{}` (`{src}`)", m.name),
            None => format!("module `{}`", m.name),
        };
        let in_root = if self.root.is_empty() || self.root == "." {
            String::new()
        } else {
            format!(" in root module `{}`", self.root)
        };
        if m.not_downloaded {
            format!(
                "nothing could be checked{in_root}: {what} was not downloaded, and nothing else declares a resource; run `terraform init` (moat then reads the module from `.terraform/modules`) or scan the module's source directory"
            )
        } else {
            let why = &m.reason;
            format!(
                "nothing could be checked{in_root}: {what} could not be read ({why}), and nothing else declares a resource"
            )
        }
    }
}

/// Everything read under the paths, and what could not be read. Analyses borrow it:
/// [`Workspace::scan`], [`Workspace::reach`], [`Workspace::exposure`],
/// [`Workspace::diagram`].
///
/// File names: when several paths are read, each file is named with the path it was found
/// under (`infra/a/main.tf`), so that names stay unique; with one path, relative to it.
#[derive(Debug)]
pub struct Workspace {
    roots: Vec<Root>,
    files_scanned: usize,
    resources: usize,
    errors: Vec<ScanError>,
    notes: Vec<Note>,
    sources: BTreeMap<Arc<str>, Arc<str>>,
    unchecked: Vec<Unchecked>,
    nothing_read: Option<NothingRead>,
}

impl Workspace {
    /// Read every path (a directory, walked, or a file; none means the current directory)
    /// with every frontend.
    pub fn load(paths: &[PathBuf], opts: &LoadOptions) -> Result<Workspace, Error> {
        opts.check()?;
        let paths = check_paths(paths)?;
        let roots = paths
            .into_iter()
            .map(|path| {
                let estates = FRONTENDS
                    .iter()
                    .flat_map(|f| (f.load)(&path, opts))
                    .collect();
                Root { path, estates }
            })
            .collect();
        Ok(Workspace::from_roots(roots))
    }

    /// A workspace of estates read elsewhere (a test, a frontend not in [`FRONTENDS`]).
    pub fn from_roots(roots: Vec<Root>) -> Workspace {
        let mut ws = Workspace {
            roots,
            files_scanned: 0,
            resources: 0,
            errors: Vec::new(),
            notes: Vec::new(),
            sources: BTreeMap::new(),
            unchecked: Vec::new(),
            nothing_read: None,
        };
        let mut error_files: BTreeSet<String> = BTreeSet::new();
        for root in &ws.roots {
            for estate in &root.estates {
                for e in &estate.errors {
                    let file = ws.name(root, &e.file);
                    error_files.insert(file.clone());
                    ws.errors.push(ScanError { file, ..e.clone() });
                }
                for n in &estate.notes {
                    ws.notes.push(Note {
                        file: ws.name(root, &n.file),
                        line: n.line,
                        message: n.message.clone(),
                    });
                }
                for (file, text) in &estate.sources {
                    let f = ws.name(root, file);
                    ws.sources.insert(Arc::from(f.as_str()), text.clone());
                }
                ws.files_scanned += estate.files_scanned;
                let managed = estate
                    .resources
                    .iter()
                    .filter(|r| r.mode == Mode::Managed)
                    .count();
                ws.resources += managed;
                // Files were read, yet nothing came out of them because the modules that
                // declare the resources could not be read. A root module that simply
                // declares no resource (variables, outputs) is not a problem.
                if managed == 0 && estate.files_scanned > 0 {
                    let root_name = ws.module_root_name(root, estate);
                    for m in &estate.unread_modules {
                        ws.unchecked.push(Unchecked {
                            module: UnreadModule {
                                file: ws.name(root, &m.file),
                                ..m.clone()
                            },
                            root: root_name.clone(),
                        });
                    }
                }
            }
        }
        ws.errors.sort();
        ws.errors.dedup();
        ws.notes.sort();
        ws.notes.dedup();
        let every_file_failed = !error_files.is_empty()
            && ws.resources == 0
            && ws.sources.keys().all(|f| error_files.contains(&**f));
        ws.nothing_read = if ws.resources == 0 && !ws.unchecked.is_empty() {
            Some(NothingRead::NothingChecked)
        } else if ws.files_scanned == 0 && ws.errors.is_empty() {
            Some(NothingRead::NoFile)
        } else if ws.files_scanned == 0 || every_file_failed {
            Some(NothingRead::Unreadable)
        } else {
            None
        };
        ws
    }

    /// The paths read, each with its estates.
    pub fn roots(&self) -> &[Root] {
        &self.roots
    }

    /// Every estate, path by path.
    pub fn estates(&self) -> impl Iterator<Item = &Estate> {
        self.roots.iter().flat_map(|r| r.estates.iter())
    }

    /// Why there is nothing to analyse, if so. Every analysis answers
    /// [`Error::NothingRead`] then, except [`Workspace::scan`], which reports it.
    pub fn nothing_read(&self) -> Option<NothingRead> {
        self.nothing_read
    }

    /// Files that could not be read (or only partly), sorted: an analysis over them is
    /// incomplete.
    pub fn errors(&self) -> &[ScanError] {
        &self.errors
    }

    /// What the frontends want the user to know (unresolved modules, values that stayed
    /// unknown), sorted.
    pub fn notes(&self) -> &[Note] {
        &self.notes
    }

    /// Module calls that left a root module with no resource to check, in the order read.
    pub fn unchecked(&self) -> &[Unchecked] {
        &self.unchecked
    }

    /// The text of every file read, by its name in reports.
    pub fn sources(&self) -> &BTreeMap<Arc<str>, Arc<str>> {
        &self.sources
    }

    /// How many files the frontends read.
    pub fn files_scanned(&self) -> usize {
        self.files_scanned
    }

    /// How many managed resources were read.
    pub fn resources(&self) -> usize {
        self.resources
    }

    /// Whether several paths were read (file names then carry their path).
    pub(crate) fn several(&self) -> bool {
        self.roots.len() > 1
    }

    /// A file of `root` as named in reports.
    pub(crate) fn name(&self, root: &Root, file: &str) -> String {
        if self.several() {
            prefixed(&root.path, file)
        } else {
            file.to_string()
        }
    }

    /// The root module of an estate as findings name it (`Finding::root`).
    pub(crate) fn finding_root(&self, root: &Root, estate: &Estate) -> String {
        match estate.root.as_str() {
            "" => String::new(),
            "." if self.several() => self.name(root, "").trim_end_matches('/').to_string(),
            "." => ".".to_string(),
            r => self.name(root, r),
        }
    }

    /// The root module of an estate as "nothing could be checked" messages name it (empty for
    /// the top of a single path).
    fn module_root_name(&self, root: &Root, estate: &Estate) -> String {
        match estate.root.as_str() {
            "." if self.several() => self.name(root, "").trim_end_matches('/').to_string(),
            "" | "." => String::new(),
            r => self.name(root, r),
        }
    }

    /// [`Error::NothingRead`] when there is nothing to analyse.
    pub(crate) fn require_something(&self) -> Result<(), Error> {
        match self.nothing_read {
            Some(n) => Err(Error::NothingRead(n)),
            None => Ok(()),
        }
    }
}

/// Prefix a relative file name with the root it was found under (when several roots are
/// read, so that names stay unique).
fn prefixed(root: &Path, file: &str) -> String {
    // A single-file root: the frontend names the file relative to its directory.
    let base = if root.is_file() {
        root.parent().unwrap_or(Path::new(""))
    } else {
        root
    };
    let r = base.to_string_lossy();
    let r = r.trim_end_matches('/');
    if r.is_empty() || r == "." {
        return file.to_string();
    }
    if file.is_empty() {
        return r.to_string();
    }
    format!("{r}/{file}")
}

/// The directory of a root module, relative to the path it was read under (`.` for the top).
pub fn root_label(e: &Estate) -> String {
    e.sources
        .keys()
        .next()
        .and_then(|f| Path::new(&**f).parent().map(|p| p.display().to_string()))
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| ".".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_path_is_a_usage_error() {
        let err = check_paths(&[PathBuf::from("/nonexistent/moat/path")]);
        assert!(matches!(err, Err(Error::Usage(m)) if m.contains("/nonexistent/moat/path")));
    }

    #[test]
    fn missing_var_file_is_a_usage_error() {
        let opts = LoadOptions {
            var_files: vec![PathBuf::from("/nonexistent/moat/x.tfvars")],
            ..LoadOptions::default()
        };
        assert!(matches!(opts.check(), Err(Error::Usage(m)) if m.contains("x.tfvars")));
    }
}
