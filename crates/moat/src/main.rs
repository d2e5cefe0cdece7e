//! The `moat` command line: parses flags and wires the crates together. Thin on purpose.

mod cmd;
mod error;
mod load;

fn main() {
    let _ = (cmd::reach::run, cmd::exposure::run, cmd::diagram::run, load::load_estates);
}
