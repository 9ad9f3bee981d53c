use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::*;
use crate::Rng;

fn op(client: u32, key: &str, op: Op, call: u64, ret: Option<u64>) -> Operation {
    Operation {
        client,
        key: String::from(key),
        op,
        call,
        ret,
    }
}
fn write(client: u32, key: &str, value: Datum, call: u64, ret: u64) -> Operation {
    op(client, key, Op::Write { value }, call, Some(ret))
}
fn read(client: u32, key: &str, value: Option<Datum>, call: u64, ret: u64) -> Operation {
    op(client, key, Op::Read { value }, call, Some(ret))
}
fn cas(
    client: u32,
    key: &str,
    (from, to): (Datum, Datum),
    ok: bool,
    call: u64,
    ret: u64,
) -> Operation {
    op(client, key, Op::Cas { from, to, ok }, call, Some(ret))
}
fn lost(client: u32, key: &str, o: Op, call: u64) -> Operation {
    op(client, key, o, call, None)
}

fn linearizable(history: &[Operation]) -> bool {
    check(history).expect("well formed").linearizable()
}

#[test]
fn an_empty_history_is_linearizable() {
    let verdict = check(&[]).unwrap();
    assert!(verdict.linearizable());
    assert_eq!(verdict.keys, 0);
}

#[test]
fn a_read_after_a_finished_write_must_see_it() {
    // Alice and Bob (DDIA ch. 9): the write finished before the read began.
    let history = [
        write(1, "x", 1, 0, 2),
        write(1, "x", 2, 3, 5),
        read(2, "x", Some(1), 6, 8),
    ];
    let verdict = check(&history).unwrap();
    assert_eq!(verdict.failures.len(), 1);
    let failure = &verdict.failures[0];
    assert_eq!(failure.key, "x");
    assert_eq!(failure.order, [0, 1]);
    assert_eq!(failure.value, Some(2));
    assert_eq!(failure.stuck, 2);
    assert_eq!(failure.writer, Some(1));
    assert_eq!(failure.offending(), [2, 1]);
    assert_eq!(
        failure.explain(&history),
        "C2's read x → 1 started (t=6) after C1's write x = 2 finished (t=5), so x was 2, \
         yet it read 1. The longest order of operations on x that works is C1's write x = 1, \
         C1's write x = 2; it leaves x = 2, and no operation still running when C2's read x → 1 \
         returned (t=8) changes that."
    );
}

#[test]
fn a_read_concurrent_with_a_write_may_see_either_value() {
    let old = [
        write(1, "x", 1, 0, 1),
        write(1, "x", 2, 2, 6),
        read(2, "x", Some(1), 3, 4),
    ];
    let new = [
        write(1, "x", 1, 0, 1),
        write(1, "x", 2, 2, 6),
        read(2, "x", Some(2), 3, 4),
    ];
    assert!(linearizable(&old));
    assert!(linearizable(&new));
}

#[test]
fn once_a_read_sees_a_new_value_later_reads_cannot_see_the_old_one() {
    // The write is still running, but a read that saw 2 fixes its place.
    let history = [
        write(1, "x", 1, 0, 1),
        write(1, "x", 2, 2, 20),
        read(2, "x", Some(2), 3, 4),
        read(3, "x", Some(1), 5, 6),
    ];
    assert!(!linearizable(&history));
}

#[test]
fn operations_that_touch_at_one_instant_are_concurrent() {
    let history = [write(1, "x", 1, 0, 5), read(2, "x", None, 5, 6)];
    assert!(linearizable(&history));
    let later = [write(1, "x", 1, 0, 5), read(2, "x", None, 6, 7)];
    assert!(!linearizable(&later));
}

#[test]
fn a_register_starts_with_no_value() {
    assert!(linearizable(&[read(1, "x", None, 0, 1)]));
    let history = [read(1, "x", Some(3), 0, 1), write(2, "x", 4, 0, 1)];
    let verdict = check(&history).unwrap();
    assert_eq!(
        verdict.failures[0].explain(&history),
        "C1's read x → 3: no operation writes that value to x. The longest order of operations \
         on x that works is C2's write x = 4; it leaves x = 4, and no operation still running \
         when C1's read x → 3 returned (t=1) changes that."
    );
}

#[test]
fn cas_succeeds_exactly_when_it_finds_its_value() {
    let history = [
        write(1, "x", 4, 0, 1),
        cas(2, "x", (4, 0), true, 2, 3),
        cas(3, "x", (4, 9), false, 4, 5),
        read(1, "x", Some(0), 6, 7),
    ];
    assert!(linearizable(&history));
    let wrong = [write(1, "x", 4, 0, 1), cas(2, "x", (4, 0), false, 2, 3)];
    let verdict = check(&wrong).unwrap();
    assert!(verdict.failures[0]
        .explain(&wrong)
        .starts_with("C2's cas x 4 → 0 (failed) started (t=2) after C1's write x = 4 finished (t=1), so x was 4, yet its cas did not find 4."));
}

#[test]
fn an_unknown_outcome_may_take_effect_late_or_never() {
    let late = [
        lost(1, "x", Op::Write { value: 1 }, 0),
        read(2, "x", None, 5, 6),
        read(2, "x", Some(1), 10, 11),
    ];
    assert!(linearizable(&late));
    let never = [
        lost(1, "x", Op::Write { value: 1 }, 0),
        read(2, "x", None, 5, 6),
    ];
    assert!(linearizable(&never));
    // But once seen it cannot be undone.
    let undone = [
        lost(1, "x", Op::Write { value: 1 }, 0),
        read(2, "x", Some(1), 5, 6),
        read(2, "x", None, 10, 11),
    ];
    assert!(!linearizable(&undone));
    // Nor can it take effect before it was invoked.
    let early = [
        read(2, "x", Some(1), 0, 1),
        lost(1, "x", Op::Write { value: 1 }, 5),
    ];
    assert!(!linearizable(&early));
}

#[test]
fn an_unknown_cas_follows_the_register_rules() {
    // If it takes effect while x = 4 it must write 0.
    let history = [
        write(1, "x", 4, 0, 1),
        lost(
            2,
            "x",
            Op::Cas {
                from: 4,
                to: 0,
                ok: false,
            },
            2,
        ),
        read(3, "x", Some(0), 5, 6),
    ];
    assert!(linearizable(&history));
    let impossible = [
        write(1, "x", 3, 0, 1),
        lost(
            2,
            "x",
            Op::Cas {
                from: 4,
                to: 0,
                ok: true,
            },
            2,
        ),
        read(3, "x", Some(0), 5, 6),
    ];
    assert!(!linearizable(&impossible));
}

#[test]
fn keys_are_checked_apart_and_reported_in_order() {
    let history = [
        write(1, "y", 1, 0, 1),
        read(2, "y", None, 2, 3),
        write(1, "x", 1, 0, 1),
        read(2, "x", Some(1), 2, 3),
        read(3, "z", Some(7), 0, 1),
    ];
    let verdict = check(&history).unwrap();
    assert_eq!(verdict.keys, 3);
    let keys: Vec<&str> = verdict.failures.iter().map(|f| f.key.as_str()).collect();
    assert_eq!(keys, ["y", "z"]);
}

#[test]
fn the_issue_example_is_linearizable() {
    let history = [
        write(1, "x", 4, 2, 9),
        read(2, "x", None, 3, 6),
        cas(3, "x", (4, 0), true, 10, 12),
        lost(4, "x", Op::Write { value: 7 }, 11),
    ];
    assert!(linearizable(&history));
}

#[test]
fn a_return_before_the_call_is_malformed() {
    let history = [write(1, "x", 1, 0, 1), write(1, "x", 2, 5, 4)];
    let error = check(&history).unwrap_err();
    assert_eq!(
        error.to_string(),
        "operation 1: it returns before it is called"
    );
}

#[test]
fn operations_print_as_a_learner_reads_them() {
    let shown: Vec<String> = [
        read(2, "x", Some(3), 0, 1),
        read(2, "x", None, 0, 1),
        write(1, "y", 5, 0, 1),
        cas(3, "x", (4, 0), true, 0, 1),
        cas(3, "x", (4, 0), false, 0, 1),
        lost(4, "x", Op::Write { value: 7 }, 0),
        lost(4, "x", Op::Read { value: None }, 0),
    ]
    .iter()
    .map(|o| o.to_string())
    .collect();
    assert_eq!(
        shown,
        [
            "C2's read x → 3",
            "C2's read x → none",
            "C1's write y = 5",
            "C3's cas x 4 → 0 (ok)",
            "C3's cas x 4 → 0 (failed)",
            "C4's write x = 7 (outcome unknown)",
            "C4's read x (outcome unknown)",
        ]
    );
}

/// The definition, searched exhaustively: some subset of the operations of
/// unknown outcome, with every completed one, in an order that respects real
/// time and replays on one register per key. No memo, no per-key split.
fn brute_force(history: &[Operation]) -> bool {
    fn extend(
        history: &[Operation],
        left: &mut Vec<usize>,
        registers: &mut BTreeMap<String, State>,
    ) -> bool {
        if left.iter().all(|&i| !history[i].completed()) {
            return true;
        }
        for n in 0..left.len() {
            let i = left[n];
            let o = &history[i];
            // Real time: nothing left may have returned before `o` was called.
            if left
                .iter()
                .any(|&j| history[j].ret.is_some_and(|r| r < o.call))
            {
                continue;
            }
            let before = registers.get(&o.key).copied().flatten();
            let Some(after) = apply(before, &o.op, o.completed()) else {
                continue;
            };
            left.remove(n);
            registers.insert(o.key.clone(), after);
            let found = extend(history, left, registers);
            registers.insert(o.key.clone(), before);
            left.insert(n, i);
            if found {
                return true;
            }
            // An operation of unknown outcome may also never take effect.
            if !o.completed() {
                left.remove(n);
                let found = extend(history, left, registers);
                left.insert(n, i);
                if found {
                    return true;
                }
            }
        }
        false
    }
    let mut left: Vec<usize> = (0..history.len()).collect();
    extend(history, &mut left, &mut BTreeMap::new())
}

/// A small history, linearizable or (after a random corruption) maybe not.
fn small_history(rng: &mut Rng) -> Vec<Operation> {
    let shape = Shape {
        clients: 1 + rng.below(4),
        operations: 1 + rng.below(8),
        keys: 1 + rng.below(2),
        unknown_percent: 20,
        latency: 6,
    };
    let mut history = random_history(rng, &shape);
    if rng.chance(60) {
        let i = rng.below(history.len() as u32) as usize;
        let o = &mut history[i];
        match &mut o.op {
            Op::Read { value } => *value = rng.chance(80).then(|| Datum::from(rng.below(5))),
            Op::Cas { ok, .. } => *ok = !*ok,
            Op::Write { value } => *value = Datum::from(rng.below(5)),
        }
        if rng.chance(30) {
            // Shift the operation in time.
            o.call = rng.between(0, 20);
            o.ret = o.ret.map(|_| o.call + rng.between(0, 4));
        }
    }
    history
}

#[test]
fn agrees_with_brute_force_on_small_random_histories() {
    let mut rng = Rng::new(2026);
    let (mut yes, mut no) = (0, 0);
    for case in 0..20_000 {
        let history = small_history(&mut rng);
        let verdict = check(&history).unwrap();
        assert_eq!(
            verdict.linearizable(),
            brute_force(&history),
            "case {case}: {history:#?}"
        );
        if verdict.linearizable() {
            yes += 1;
        } else {
            no += 1;
            for failure in &verdict.failures {
                assert_counterexample_holds(&history, failure);
            }
        }
    }
    // Both answers are common, so the comparison means something.
    assert!(yes > 5_000 && no > 2_500, "{yes} linearizable, {no} not");
}

/// A counterexample's order respects real time and replays, and its stuck
/// operation is completed, on the key, contradicts the value and is not in
/// the order.
fn assert_counterexample_holds(history: &[Operation], failure: &Counterexample) {
    let mut state = None;
    for (n, &i) in failure.order.iter().enumerate() {
        let o = &history[i as usize];
        assert_eq!(o.key, failure.key);
        for &later in &failure.order[n + 1..] {
            let later = &history[later as usize];
            assert!(later.ret.is_none_or(|r| r >= o.call), "real time broken");
        }
        state = apply(state, &o.op, o.completed()).expect("the order replays");
    }
    assert_eq!(state, failure.value);
    let stuck = &history[failure.stuck as usize];
    assert!(stuck.completed() && stuck.key == failure.key);
    assert!(!failure.order.contains(&failure.stuck));
    assert_eq!(apply(state, &stuck.op, true), None);
}

#[test]
fn histories_of_an_atomic_register_are_linearizable() {
    let mut rng = Rng::new(7);
    for clients in [1, 5, 20] {
        for unknown_percent in [0, 5, 20] {
            let shape = Shape {
                clients,
                operations: 300,
                keys: 3,
                unknown_percent,
                latency: 30,
            };
            let history = random_history(&mut rng, &shape);
            let verdict = check(&history).unwrap();
            assert!(verdict.linearizable(), "{shape:?}: {:?}", verdict.failures);
            assert_eq!(verdict.keys, 3);
        }
    }
}

#[test]
fn a_stale_read_in_a_long_history_is_found_and_explained() {
    let mut rng = Rng::new(11);
    let shape = Shape {
        clients: 10,
        operations: 200,
        keys: 1,
        unknown_percent: 5,
        latency: 10,
    };
    let mut history = random_history(&mut rng, &shape);
    // Append a read, after everything completed, of a value other than the
    // one the register must end with.
    let end = history.iter().filter_map(|o| o.ret).max().unwrap() + 1;
    history.push(write(99, "x", 1000, end, end + 1));
    history.push(read(98, "x", Some(999), end + 2, end + 3));
    let verdict = check(&history).unwrap();
    assert_eq!(verdict.failures.len(), 1);
    let failure = &verdict.failures[0];
    assert_counterexample_holds(&history, failure);
    assert_eq!(failure.stuck, 201);
    let text = failure.explain(&history);
    assert!(
        text.starts_with("C98's read x → 999: no operation writes that value to x."),
        "{text}"
    );
    assert!(text.contains("operations, then "), "{text}");
}
