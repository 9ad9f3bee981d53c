//! Runs every scenario file under `testdata/` and compares each command's
//! output with the expectation checked in beside it, in the datadriven style
//! of etcd/raft. Set `REWRITE=1` to regenerate the expectations, then review
//! the change as a diff.

use std::path::{Path, PathBuf};

use consensus_core::scenario::run_script;

fn scenario_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    files
}

fn run_dir(protocol: &str, least: usize) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(protocol);
    let files = scenario_files(&dir);
    assert!(
        files.len() >= least,
        "{protocol}: expected at least {least} scenario files, found {}",
        files.len()
    );
    let rewrite = std::env::var_os("REWRITE").is_some();
    let mut failures = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("readable scenario");
        let actual = match run_script(&text) {
            Ok(a) => a,
            Err(e) => {
                failures.push(format!("{}: {e}", file.display()));
                continue;
            }
        };
        if rewrite {
            std::fs::write(&file, &actual).expect("writable scenario");
        } else if actual != text {
            let first = text.lines().zip(actual.lines()).position(|(a, b)| a != b);
            let line = first.unwrap_or(text.lines().count().min(actual.lines().count()));
            failures.push(format!(
                "{} differs from line {}:\n  expected: {}\n  actual:   {}\n(run with REWRITE=1 and review the diff)",
                file.display(),
                line + 1,
                text.lines().nth(line).unwrap_or("<end of file>"),
                actual.lines().nth(line).unwrap_or("<end of output>")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn raft_scenarios() {
    run_dir("raft", 10);
}

#[test]
fn paxos_scenarios() {
    run_dir("paxos", 10);
}

#[test]
fn zab_scenarios() {
    run_dir("zab", 10);
}

#[test]
fn multipaxos_scenarios() {
    run_dir("multipaxos", 4);
}

#[test]
fn vr_scenarios() {
    run_dir("vr", 4);
}
