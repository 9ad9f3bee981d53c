//! Every node's log as the papers draw it (Raft's Figures 6 to 8): a row of
//! boxes per node, lined up by index across nodes, with the term (ballot,
//! zxid) inside each box and the value beneath. What a learner compares is
//! whether two nodes hold the same entry at the same index, and which
//! entries are committed: in the cluster, and as far as each node knows.

use consensus_core::any::{AnySim, ProtocolKind};
use consensus_core::protocol::{NodeId, NodeView, Shown, Value, NO_OP};
use yew::prelude::*;

use super::on_click;
use crate::state::{Msg, Selection};

/// Indexes shown: the most recent ones of the longest log.
const SHOWN: u64 = 10;

/// How far an entry is known to be committed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Known {
    /// This node knows it is committed (chosen, delivered): it may apply it.
    Here,
    /// The cluster has committed it, but this node has not heard so yet:
    /// its commit index (or Decide, or COMMIT) is still on its way.
    InCluster,
    /// Not committed anywhere: it may still be replaced.
    Not,
}

/// One entry's box.
#[derive(Clone, Debug, PartialEq)]
struct Cell {
    index: u64,
    /// Its term, ballot or zxid, as the box shows it.
    label: String,
    value: Value,
    known: Known,
    /// Whether it differs from the leader's entry at its index (or the
    /// leader has none there): the leader's log wins.
    differs: Option<NodeId>,
    /// Whether it is the last of the node's known-committed prefix: the
    /// node's commit index.
    commit_point: bool,
    /// Whether this node holds it as committed while the cluster committed
    /// another entry at its index: a safety violation, drawn where it
    /// happened. (An uncommitted entry there is only bound to be replaced.)
    contradicts: bool,
}

/// One node's row: `None` while it is down.
type Row = Option<Vec<Option<Cell>>>;

/// The indexes shown, and each node's boxes at them.
fn rows(sim: &AnySim, views: &[Option<NodeView>]) -> (u64, u64, Vec<(Row, usize)>) {
    let last = views
        .iter()
        .flatten()
        .filter_map(|v| v.log.last().map(|e| e.index))
        .max()
        .unwrap_or(0);
    let first = last.saturating_sub(SHOWN - 1).max(1);
    // The leader whose log the others' are brought in line with: the one of
    // the newest term or epoch (an older one is stale).
    let leader = views
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.as_ref().filter(|v| v.leads).map(|v| (i, v)))
        .max_by_key(|(_, v)| v.era);
    let rows = views
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let Some(v) = v else { return (None, 0) };
            // The node's commit index: the end of its known-committed prefix,
            // counted in entries (Paxos slots need not be contiguous).
            let known_prefix = v
                .log
                .iter()
                .enumerate()
                .take_while(|(k, e)| e.committed && e.index == *k as u64 + 1)
                .count() as u64;
            let mut cells: Vec<Option<Cell>> = (first..=last).map(|_| None).collect();
            let mut before = 0;
            for e in &v.log {
                if e.index < first {
                    before += 1;
                    continue;
                }
                let committed = sim.committed_key(e.index);
                let known = if e.committed {
                    Known::Here
                } else if committed == Some(e.key) {
                    Known::InCluster
                } else {
                    Known::Not
                };
                let differs = leader.and_then(|(l, lv)| {
                    let same = lv
                        .log
                        .iter()
                        .find(|le| le.index == e.index)
                        .is_some_and(|le| le.key == e.key);
                    (l != i && !same).then_some(l as NodeId + 1)
                });
                cells[(e.index - first) as usize] = Some(Cell {
                    index: e.index,
                    label: e.label.clone(),
                    value: e.value,
                    known,
                    differs,
                    commit_point: e.index == known_prefix,
                    contradicts: e.committed && committed.is_some_and(|k| k != e.key),
                });
            }
            (Some(cells), before)
        })
        .collect();
    (first, last, rows)
}

/// All nodes' logs, one table: a column per index, a row per node.
pub fn logs(
    p: ProtocolKind,
    sim: &AnySim,
    views: &[Option<NodeView>],
    on_msg: &Callback<Msg>,
) -> Html {
    let (first, last, rows) = rows(sim, views);
    if last == 0 {
        // Nothing to line up yet: one line instead of a row per node.
        return html! { <p class="logs-empty">{ "Every log is empty: send a Request." }</p> };
    }
    let header = (first..=last).map(|i| html! { <th scope="col" key={i}>{ i }</th> });
    let body = rows.into_iter().enumerate().map(|(i, (row, before))| {
        let node = i as NodeId + 1;
        html! { <NodeLog key={u64::from(node)} protocol={p} {node} {row} {before} width={last + 1 - first} on_msg={on_msg.clone()} /> }
    });
    html! {
        <div class="logs-wrap">
            <table class="logs">
                <caption class="visually-hidden">
                    { format!("{} logs by {}: each box shows the entry's {} and value", p.title(), p.index_name(), p.label_name()) }
                </caption>
                <thead>
                    <tr>
                        <th scope="col" class="index-name">{ p.index_name() }</th>
                        { for header }
                    </tr>
                </thead>
                <tbody>{ for body }</tbody>
            </table>
        </div>
    }
}

/// What the boxes mean, shown once above the panels and in the help.
#[component]
pub fn LogLegend() -> Html {
    // Short words on the page; the whole sentence as a tooltip.
    let sample = |class: &'static str, text: &'static str, long: &'static str| {
        html! {
            <span title={long}><span class={classes!("entry", class.split(' ').collect::<Vec<_>>())} aria-hidden="true"></span>{ " " }{ text }</span>
        }
    };
    html! {
        <p class="log-legend">
            <span>{ "Logs:" }</span>
            { sample("uncommitted", "not committed", "yellow and dashed: not committed") }
            { sample("cluster-committed", "committed, not known here", "hatched: the cluster committed it, this node does not know yet") }
            { sample("committed", "committed, known (✓)", "green with a tick: committed, and this node knows") }
            { sample("committed commit-point", "commit index", "the bar after an entry: the node's commit index") }
            { sample("uncommitted differs", "≠ the leader's", "≠: differs from the leader's log at that index, and will be replaced") }
            { sample("contradicts", "violation", "red: held as committed, but the cluster committed another entry (a violation)") }
        </p>
    }
}

/// Props of [`NodeLog`].
#[derive(Properties, PartialEq)]
struct NodeLogProps {
    protocol: ProtocolKind,
    node: NodeId,
    row: Row,
    /// Entries before the first index shown.
    before: usize,
    /// Columns in the table, besides the node's.
    width: u64,
    on_msg: Callback<Msg>,
}

/// One node's log: re-rendered only when its boxes change.
#[component]
fn NodeLog(props: &NodeLogProps) -> Html {
    let (p, node) = (props.protocol, props.node);
    let select = on_click(
        &props.on_msg,
        Msg::Select(Some(Selection::Node { protocol: p, node })),
    );
    let span = props.width.max(1).to_string();
    let cells = match &props.row {
        // A note spans the row without widening the columns.
        None => {
            let note = if p.diskless() {
                "down (it keeps nothing: its state comes back from the others)"
            } else {
                "down (durable state kept)"
            };
            html! { <td colspan={span} class="note"><span class="down-note">{ note }</span></td> }
        }
        Some(cells) if cells.iter().all(Option::is_none) => html! {
            <td colspan={span} class="note">
                <span class="empty-log">{ if props.before > 0 { format!("{} earlier entries", props.before) } else { "empty".to_string() } }</span>
            </td>
        },
        Some(cells) => html! {
            // Keyed by index: a new entry is one insertion, not a rewrite of
            // every box after the first.
            { for cells.iter().enumerate().map(|(k, c)| match c {
                None => html! { <td key={k}></td> },
                Some(c) => html! { <td key={k}>{ entry(p, node, c) }</td> },
            }) }
        },
    };
    html! {
        <tr>
            <th scope="row">
                <button class="node-link" onclick={select} aria-label={format!("n{node} state")}>{ format!("n{node}") }</button>
                { if props.before > 0 && props.row.as_ref().is_some_and(|r| r.iter().any(Option::is_some)) {
                    html! { <span class="more" title={format!("{} earlier entries not shown", props.before)}>{ format!("+{}", props.before) }</span> }
                } else { html! {} } }
            </th>
            { cells }
        </tr>
    }
}

/// One entry's box, named in words for screen readers and tooltips:
/// "index 2, term 1, v2, not committed".
fn entry(p: ProtocolKind, node: NodeId, c: &Cell) -> Html {
    let known = match c.known {
        Known::Here => "committed".to_string(),
        Known::InCluster => format!("committed in the cluster, n{node} does not know yet"),
        Known::Not => "not committed".to_string(),
    };
    let mut name = format!(
        "{} {}, {} {}, {}, {known}",
        p.index_name(),
        c.index,
        p.label_name(),
        c.label,
        Shown(c.value)
    );
    if c.commit_point {
        name.push_str(&format!(", n{node}'s commit index"));
    }
    if c.contradicts {
        name.push_str(", but the cluster committed another entry here");
    }
    if let Some(leader) = c.differs {
        name.push_str(&format!(", differs from leader n{leader}'s log"));
    }
    let title = if c.value == NO_OP {
        format!("{name}: a new leader's entry of its own term; once it commits, so has everything before it (§8)")
    } else {
        name.clone()
    };
    let class = classes!(
        "entry",
        match c.known {
            Known::Here => "committed",
            Known::InCluster => "cluster-committed",
            Known::Not => "uncommitted",
        },
        (c.value == NO_OP).then_some("no-op"),
        c.commit_point.then_some("commit-point"),
        c.differs.is_some().then_some("differs"),
        c.contradicts.then_some("contradicts"),
    );
    // The box's text is for the eye; its accessible name says it in words.
    html! {
        <span {class} role="img" aria-label={name} {title}>
            <span class="label" aria-hidden="true">{ c.label.trim_start_matches('(').trim_end_matches(')') }</span>
            <span class="value" aria-hidden="true">{ Shown(c.value).to_string() }</span>
        </span>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use consensus_core::sim::{Action, Config};

    /// Run `sim` until `done` holds (within a bound).
    fn until(sim: &mut AnySim, done: impl Fn(&AnySim) -> bool) {
        for _ in 0..5_000 {
            if done(sim) {
                return;
            }
            sim.apply(Action::Next).expect("a step");
        }
        panic!("not reached");
    }

    fn leader(sim: &AnySim, era: u64) -> Option<NodeId> {
        let views = sim.views();
        let i = views
            .iter()
            .position(|v| v.as_ref().is_some_and(|v| v.leads && v.era >= era))?;
        Some(i as NodeId + 1)
    }

    fn cell(sim: &AnySim, node: NodeId, index: u64) -> Option<Cell> {
        let (first, _, rows) = rows(sim, &sim.views());
        let row = rows[usize::from(node - 1)].0.clone().expect("up");
        row.get(usize::try_from(index - first).ok()?)
            .cloned()
            .flatten()
    }

    /// A 3-node Raft whose leader has committed its no-op, and that leader.
    fn raft_in_office() -> (AnySim, NodeId) {
        let mut sim = AnySim::new(ProtocolKind::Raft, Config::new(3, 7)).expect("a sim");
        until(&mut sim, |s| {
            leader(s, 1).is_some() && s.committed_key(1).is_some()
        });
        let l = leader(&sim, 1).expect("a leader");
        (sim, l)
    }

    #[test]
    fn an_entry_is_committed_in_the_cluster_before_its_followers_know() {
        let (mut sim, l) = raft_in_office();
        sim.apply(Action::Request { node: Some(l) })
            .expect("a request");
        // The leader commits index 2 on the first acknowledgement: no
        // follower has heard of it yet.
        until(&mut sim, |s| s.committed_key(2).is_some());
        let c = cell(&sim, l, 2).expect("the leader's entry");
        assert_eq!(
            (c.known, c.commit_point, c.differs),
            (Known::Here, true, None)
        );
        let followers: Vec<Cell> = (1..=3)
            .filter(|&n| n != l)
            .filter_map(|n| cell(&sim, n, 2))
            .collect();
        assert!(!followers.is_empty(), "an acknowledging follower holds it");
        for c in followers {
            assert_eq!(
                (c.known, c.commit_point),
                (Known::InCluster, false),
                "{c:?}"
            );
        }
        let first = cell(&sim, l, 1).expect("the no-op");
        assert_eq!((first.known, first.commit_point), (Known::Here, false));
    }

    #[test]
    fn a_stale_leaders_entry_differs_from_the_new_leaders() {
        let (mut sim, old) = raft_in_office();
        let others: Vec<NodeId> = (1..=3).filter(|&n| n != old).collect();
        sim.apply(Action::Partition(vec![vec![old], others.clone()]))
            .expect("a partition");
        sim.apply(Action::Request { node: Some(old) })
            .expect("a request");
        let era = sim.status(old).expect("up").era;
        until(&mut sim, |s| {
            leader(s, era + 1).is_some_and(|n| n != old) && s.committed_key(2).is_some()
        });
        let new = leader(&sim, era + 1).expect("a new leader");
        let c = cell(&sim, old, 2).expect("the stale leader's entry");
        assert_eq!((c.known, c.differs), (Known::Not, Some(new)), "{c:?}");
        assert_eq!(cell(&sim, new, 2).expect("its no-op").differs, None);
        assert!(!c.contradicts, "not committed, only bound to be replaced");
    }
}
