//! A malformed scenario file gets a clear message with its line number, and
//! no input, however broken, makes the runner panic.

use consensus_core::scenario::{parse_command, run_script};
use consensus_core::Rng;

fn error(text: &str) -> String {
    run_script(text)
        .expect_err("the scenario is malformed")
        .to_string()
}

#[test]
fn malformed_files_name_the_line_and_the_problem() {
    let cases = [
        (
            "config protocol=raft nodes=3\n----\n",
            "line 1: a scenario opens with a # comment",
        ),
        (
            "# x\nrequest\n----\n",
            "line 2: the first command must be config",
        ),
        (
            "# x\nconfig protocol=raft\nrequest\n",
            "line 3: expected ---- after 'config protocol=raft'",
        ),
        (
            "# x\nconfig protocol=pbft\n----\n",
            "line 2: unknown protocol 'pbft'",
        ),
        (
            "# x\nconfig nodes=3\n----\n",
            "config needs protocol=raft|paxos|zab",
        ),
        (
            "# x\nconfig protocol=raft nodes=12\n----\n",
            "a cluster has 1 to 9 nodes, not 12",
        ),
        (
            "# x\nconfig protocol=raft loss=150\n----\n",
            "loss is a percentage from 0 to 100",
        ),
        (
            "# x\nconfig protocol=raft latency=3\n----\n",
            "latency must be MIN-MAX",
        ),
        (
            "# x\nconfig protocol=raft mistakes=nope\n----\n",
            "unknown mistake 'nope'",
        ),
        (
            "# x\nconfig protocol=raft\n----\n\nfly 3\n----\n",
            "line 5: unknown command 'fly'",
        ),
        (
            "# x\nconfig protocol=raft\n----\n\ncrash\n----\n",
            "line 5: missing node id",
        ),
        (
            "# x\nconfig protocol=raft\n----\n\nheal now\n----\n",
            "unexpected 'now' after heal",
        ),
        ("# only a comment\n", "the scenario has no commands"),
        (
            "# x\nconfig protocol=raft\n----\n\nrun 18446744073709551615\n----\n",
            "run takes a tick count from 1 to 100000",
        ),
        (
            "# x\nconfig protocol=raft\n----\n\nnext 0\n----\n",
            "next takes a count from 1 to 100000",
        ),
    ];
    for (text, says) in cases {
        let e = error(text);
        assert!(e.contains(says), "{text:?}: got '{e}', expected '{says}'");
    }
}

#[test]
fn refused_actions_are_output_not_failures() {
    let out = run_script(
        "# x\nconfig protocol=zab nodes=3\n----\n\ndeliver 999\n----\n\nrestart 1\n----\n",
    )
    .expect("refusals are part of the expected output");
    assert!(out.contains("error: no message #999 is in flight"));
    assert!(out.contains("error: n1 is running: crash it first"));
}

#[test]
fn garbage_never_panics() {
    let words = [
        "config",
        "protocol=raft",
        "protocol=zab",
        "protocol=paxos",
        "nodes=0",
        "nodes=9",
        "nodes=255",
        "seed=-1",
        "deliver",
        "drop",
        "delay",
        "fire",
        "next",
        "request",
        "crash",
        "restart",
        "partition",
        "cut",
        "heal",
        "faults",
        "loss=100",
        "latency=0-0",
        "latency=1-1000",
        "1",
        "2",
        "0",
        "9",
        "99999999999999999999",
        "18446744073709551615",
        "100000",
        "1,2",
        ",",
        "election",
        "retry",
        "quorum",
        "stabilize",
        "run",
        "state",
        "pending",
        "stats",
        "check",
        "----",
        "#",
        "",
        "é",
        "=",
        "mistakes=raft-commit-old-term,zab-skip-truncate",
    ];
    let mut rng = Rng::new(2024);
    for _ in 0..3000 {
        let len = rng.below(6) as usize;
        let line: Vec<&str> = (0..len)
            .map(|_| words[rng.below(words.len() as u32) as usize])
            .collect();
        let _ = parse_command(&line.join(" "));
    }
    for _ in 0..300 {
        let mut text = String::from("# fuzz\nconfig protocol=raft nodes=3 seed=1\n----\n\n");
        for _ in 0..rng.below(12) {
            let len = 1 + rng.below(4) as usize;
            let line: Vec<&str> = (0..len)
                .map(|_| words[rng.below(words.len() as u32) as usize])
                .collect();
            text.push_str(&line.join(" "));
            text.push_str(if rng.chance(80) { "\n----\n\n" } else { "\n" });
        }
        let _ = run_script(&text);
    }
}
