//! The `consensus` command as course authors and scripts use it.

use std::process::{Command, Output};

fn consensus(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_consensus"))
        .args(args)
        .output()
        .expect("consensus runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn compare_json_matches_the_textbook() {
    for nodes in ["3", "5"] {
        let o = consensus(&[
            "compare",
            "--nodes",
            nodes,
            "--requests",
            "4",
            "--seed",
            "7",
            "--json",
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("valid JSON");
        let n: u64 = nodes.parse().unwrap();
        assert_eq!(doc["nodes"], n);
        let protocols = doc["protocols"].as_array().expect("protocols");
        let names: Vec<&str> = protocols
            .iter()
            .map(|p| p["protocol"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["raft", "paxos", "zab", "multipaxos", "vr"]);
        for (p, per_peer) in protocols.iter().zip([2, 4, 3, 2]) {
            assert_eq!(p["decisions"], 4);
            assert_eq!(
                p["messages_per_decision"].as_f64(),
                Some((per_peer * (n - 1)) as f64)
            );
            assert_eq!(p["textbook_per_decision"], per_peer * (n - 1));
            let by_type = p["by_type"].as_object().expect("by_type");
            assert_eq!(by_type.len() as u64, per_peer);
            assert!(by_type.values().all(|v| v.as_f64() == Some((n - 1) as f64)));
        }
        for paxos in [&protocols[1], &protocols[3]] {
            assert_eq!(
                paxos["notifications_per_decision"]["Decide"].as_f64(),
                Some((n - 1) as f64)
            );
        }
        assert!(protocols[0]["one_time"]["election"].as_u64().unwrap() > 0);
    }
}

#[test]
fn compare_table_is_readable() {
    let o = consensus(&["compare", "--nodes", "5", "--requests", "3"]);
    assert!(o.status.success());
    let out = stdout(&o);
    assert!(out.contains("Messages per decision"));
    for row in [
        "Raft",
        "Basic Paxos",
        "Zab",
        "AppendEntries 4.00",
        "Prepare 4.00",
        "PROPOSE 4.00",
    ] {
        assert!(out.contains(row), "missing {row} in\n{out}");
    }
}

#[test]
fn check_passes_and_is_deterministic() {
    let args = [
        "check",
        "--protocol",
        "zab",
        "--seeds",
        "8",
        "--steps",
        "300",
    ];
    let a = consensus(&args);
    let b = consensus(&args);
    assert!(a.status.success(), "{}{}", stdout(&a), stderr(&a));
    assert_eq!(stdout(&a), stdout(&b));
    assert!(stdout(&a).contains("every invariant held after every step"));
    assert!(stdout(&a).contains("liveness: held in all 2 runs"));
}

#[test]
fn check_catches_a_mistake_and_prints_a_replay_command() {
    let o = consensus(&[
        "check",
        "--protocol",
        "paxos",
        "--seeds",
        "50",
        "--mistake",
        "paxos-ignore-accepted",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.starts_with("VIOLATION at seed "), "{out}");
    let replay = out
        .lines()
        .find_map(|l| l.strip_prefix("replay: consensus "))
        .expect("a replay line");
    let args: Vec<&str> = replay.split_whitespace().collect();
    let again = consensus(&args);
    assert_eq!(again.status.code(), Some(1));
    assert_eq!(
        stdout(&again).lines().next(),
        out.lines().next(),
        "the replay finds the same violation"
    );
}

#[test]
fn variant_runs_every_seed_with_it_and_the_replay_keeps_it() {
    // Seed 0 draws Raft with its no-op, which hides this mistake there;
    // forced to Figure 2 alone, the same seed shows it.
    let args = [
        "check",
        "--protocol",
        "raft",
        "--seeds",
        "1",
        "--mistake",
        "raft-commit-old-term",
    ];
    assert!(consensus(&args).status.success());
    let o = consensus(&[&args[..], &["--variant", "raft-no-noop"]].concat());
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.contains("Figure-8 rule"), "{out}");
    let replay = out
        .lines()
        .find_map(|l| l.strip_prefix("replay: consensus "))
        .expect("a replay line");
    assert!(replay.ends_with("--variant raft-no-noop"), "{replay}");
    let again = consensus(&replay.split_whitespace().collect::<Vec<_>>());
    assert_eq!(stdout(&again).lines().next(), out.lines().next());
}

#[test]
fn list_mistakes_names_every_switch() {
    let o = consensus(&["check", "--list-mistakes"]);
    assert!(o.status.success());
    for name in [
        "raft-commit-old-term",
        "paxos-ignore-accepted",
        "zab-skip-truncate",
        "zab-stale-sync",
        "raft-no-noop",
    ] {
        assert!(stdout(&o).contains(name));
    }
}

#[test]
fn bad_input_gets_a_clear_message_and_a_nonzero_exit() {
    let cases: [(&[&str], &str); 8] = [
        (&["check", "--protocol", "pbft"], "unknown protocol 'pbft'"),
        (
            &[
                "check",
                "--protocol",
                "raft",
                "--mistake",
                "zab-skip-truncate",
            ],
            "belongs to zab",
        ),
        (
            &["check", "--protocol", "raft", "--mistake", "oops"],
            "unknown mistake 'oops'",
        ),
        (
            &["check", "--protocol", "zab", "--variant", "raft-no-noop"],
            "variant 'raft-no-noop' belongs to raft",
        ),
        (
            &["history", "--protocol", "raft", "--variant", "oops"],
            "unknown variant 'oops'",
        ),
        (&["compare", "--nodes", "0"], "0 is not in 1..=9"),
        (
            &["run", "/nonexistent/scenario.txt"],
            "cannot read /nonexistent/scenario.txt",
        ),
        (&["frobnicate"], "unrecognized subcommand"),
    ];
    for (args, says) in cases {
        let o = consensus(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stderr(&o).contains(says), "{args:?}: {}", stderr(&o));
    }
}

#[test]
fn run_prints_the_trace_or_says_what_is_wrong() {
    let dir = std::env::temp_dir().join(format!("consensus-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("good.txt");
    std::fs::write(
        &good,
        "# elect n1\nconfig protocol=raft nodes=3 seed=1\n----\n\nfire 1 election\n----\n",
    )
    .unwrap();
    let o = consensus(&["run", good.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("n1: became Candidate (1)"));

    let bad = dir.join("bad.txt");
    std::fs::write(
        &bad,
        "# broken\nconfig protocol=raft nodes=3\n----\n\nfire one election\n----\n",
    )
    .unwrap();
    let o = consensus(&["run", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("line 5: 'one' is not a valid node id"),
        "{}",
        stderr(&o)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

fn history(name: &str) -> String {
    format!("{}/tests/histories/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn lincheck_accepts_a_linearizable_history() {
    let o = consensus(&["lincheck", &history("linearizable.json")]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "linearizable: 4 operations on 1 key\n");
}

#[test]
fn lincheck_explains_a_stale_read() {
    let o = consensus(&["lincheck", &history("stale_read.json")]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.starts_with("not linearizable: 4 operations on 2 keys\n"),
        "{text}"
    );
    assert!(
        text.contains(
            "key x: C2's read x → 3 started (t=10) after C1's write x = 5 finished (t=9), so x was 5, yet it read 3."
        ),
        "{text}"
    );
    assert!(
        text.contains("  operation 2: C2's read x → 3, t=10..12\n"),
        "{text}"
    );

    let o = consensus(&["lincheck", "--json", &history("stale_read.json")]);
    assert_eq!(o.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("valid JSON");
    assert_eq!(doc["linearizable"], false);
    assert_eq!(doc["keys"], 2);
    let failures = doc["failures"].as_array().expect("failures");
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0]["key"], "x");
    assert_eq!(failures[0]["order"], serde_json::json!([0, 1]));
    assert_eq!(failures[0]["offending"], serde_json::json!([2, 1]));
    assert_eq!(failures[0]["value"], 5);
}

#[test]
fn lincheck_reports_a_malformed_history_and_exits_2() {
    let o = consensus(&["lincheck", &history("bad_cas.json")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("operation 1: a completed cas needs \"ok\" (true or false)"));

    let dir = std::env::temp_dir().join(format!("consensus-lincheck-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (text, message) in [
        ("not json", "expected ident"),
        (
            r#"{"history": [{"client": 1, "op": "writ", "key": "x", "value": 4, "call": 2, "return": 9}]}"#,
            "unknown variant `writ`",
        ),
        (
            r#"{"history": [{"client": 1, "op": "write", "key": "x", "value": 4, "call": 2}]}"#,
            "missing field `return`",
        ),
        (
            r#"{"history": [{"client": 1, "op": "write", "key": "x", "call": 2, "return": 3}]}"#,
            "operation 0: a write needs an integer \"value\"",
        ),
        (
            r#"{"history": [{"client": 1, "op": "read", "key": "x", "call": 2, "return": 3}]}"#,
            "operation 0: a completed read needs \"value\" (null when x had no value)",
        ),
        (
            r#"{"history": [{"client": 1, "op": "write", "key": "x", "value": 1, "call": 5, "return": 3}]}"#,
            "operation 0: it returns before it is called",
        ),
        (
            r#"{"history": [{"client": 1, "op": "write", "key": "x", "value": 1, "call": -1, "return": 3}]}"#,
            "invalid value: integer `-1`",
        ),
        (r#"{"history": [], "extra": 1}"#, "unknown field `extra`"),
    ] {
        let path = dir.join("history.json");
        std::fs::write(&path, text).unwrap();
        let o = consensus(&["lincheck", path.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{text}");
        assert!(stderr(&o).contains(message), "{text}: {}", stderr(&o));
        assert!(stdout(&o).is_empty());
    }
    std::fs::remove_dir_all(&dir).unwrap();

    let o = consensus(&["lincheck", "no/such/file.json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot read no/such/file.json"));
}

#[test]
fn check_with_reads_checks_every_history() {
    for protocol in ["raft", "paxos", "zab"] {
        let o = consensus(&[
            "check",
            "--protocol",
            protocol,
            "--reads",
            "--seeds",
            "20",
            "--steps",
            "600",
        ]);
        assert!(o.status.success(), "{protocol}: {}", stdout(&o));
        let text = stdout(&o);
        let line = text
            .lines()
            .find(|l| l.starts_with("clients: "))
            .unwrap_or_else(|| panic!("{protocol}: no clients line in {text}"));
        let answered: u32 = line["clients: ".len()..]
            .split_whitespace()
            .next()
            .and_then(|n| n.parse().ok())
            .expect("a count");
        assert!(answered > 20, "{protocol}: {line}");
        assert!(line.ends_with("every history linearizable"), "{line}");
    }
}

#[test]
fn a_run_history_is_a_lincheck_file() {
    let o = consensus(&[
        "history",
        "--protocol",
        "raft",
        "--seed",
        "3",
        "--steps",
        "800",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("valid JSON");
    let ops = doc["history"].as_array().expect("a history");
    assert!(ops.len() > 5, "{ops:?}");
    assert!(ops.iter().any(|o| o["return"].is_null()));
    assert!(ops
        .iter()
        .any(|o| o["op"] == "read" && o["value"].is_number()));

    let path = std::env::temp_dir().join(format!("consensus-history-{}.json", std::process::id()));
    std::fs::write(&path, stdout(&o)).unwrap();
    let checked = consensus(&["lincheck", path.to_str().unwrap()]);
    std::fs::remove_file(&path).unwrap();
    assert_eq!(checked.status.code(), Some(0), "{}", stdout(&checked));
    assert!(stdout(&checked).starts_with("linearizable: "));
}

#[test]
fn the_read_mistakes_are_caught_as_linearizability_violations() {
    for mistake in ["raft-stale-read", "raft-read-before-noop"] {
        let o = consensus(&[
            "check",
            "--protocol",
            "raft",
            "--reads",
            "--seeds",
            "200",
            "--mistake",
            mistake,
        ]);
        assert_eq!(o.status.code(), Some(1), "{mistake}: {}", stdout(&o));
        assert!(
            stdout(&o).contains(": Linearizability: C"),
            "{}",
            stdout(&o)
        );
        let without = consensus(&["check", "--protocol", "raft", "--mistake", mistake]);
        assert_eq!(without.status.code(), Some(2));
        assert!(
            stderr(&without).contains("add --reads"),
            "{}",
            stderr(&without)
        );
    }
}
