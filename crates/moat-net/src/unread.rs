//! Answers over an estate of which some files could not be read.
//!
//! A file that failed to parse may declare any rule, route or resource: an answer computed
//! without it cannot be trusted in the root module it belongs to, and is incomplete anywhere.
//! This is where the analysis says so; callers (the library facade, the command line) only
//! render what comes out.

use moat_model::aws::network::Network;
use moat_model::{Estate, ScanError};

use crate::{reach, Query, ReachError, ReachResult, Verdict};

/// How a file that could not be read is named among the unknowns of an answer, and among the
/// errors of `moat exposure`: `file `F` could not be read (line N): WHY; what it declares is
/// not analysed`.
pub fn describe(e: &ScanError) -> String {
    format!(
        "file `{}` could not be read{}: {}; what it declares is not analysed",
        e.file,
        if e.line > 0 {
            format!(" (line {})", e.line)
        } else {
            String::new()
        },
        e.message
    )
}

/// Whether the estate has an error that leaves part of it unread. A reference cycle leaves
/// every resource read (only the references closing it are unknown, and the engine says where
/// they matter): it does not count.
pub fn incomplete(estate: &Estate) -> bool {
    estate.errors.iter().any(|x| !x.is_reference_cycle())
}

/// Answer a query in `estate`, given `unread`: the files that could not be read among
/// everything loaded with it (this estate's and other root modules'), named as the caller
/// reports them. When a file of this estate could not be read ([`incomplete`]), it may hold
/// the rule or route that decides, so neither verdict can be trusted: the verdict is
/// `unknown`. Every file in `unread` is named among the unknowns (sorted, without duplicates).
pub fn reach_in(
    net: &Network,
    estate: &Estate,
    q: &Query,
    unread: &[ScanError],
) -> Result<ReachResult, ReachError> {
    let mut r = reach(net, estate, q)?;
    if incomplete(estate) {
        r.verdict = Verdict::Unknown;
    }
    r.unknowns.extend(unread.iter().map(describe));
    r.unknowns.sort();
    r.unknowns.dedup();
    Ok(r)
}
