//! "Messages per decision": for each protocol the measured cost by message
//! type beside the textbook figure, message delays and ticks per decision,
//! background traffic, and a small chart of each decision's cost over the
//! run. When faults push the measured figure above the textbook one, the row
//! says so.

use yew::prelude::*;

use consensus_core::kv::ReadPath;

use super::Shared;

/// A read path as the table names it, with what its cost is made of.
fn path_name(p: ReadPath) -> &'static str {
    match p {
        ReadPath::Log => "through the log (a decision)",
        ReadPath::ReadIndex => "ReadIndex (one heartbeat round)",
        ReadPath::Lease => "lease (none within the lease; a round to renew it)",
        ReadPath::Local => "local (no messages)",
        ReadPath::Sync => "sync, then local (SYNC and its reply)",
    }
}

/// Decisions shown in the chart.
const CHART: usize = 30;

/// Props of [`Compare`].
#[derive(Properties, PartialEq)]
pub struct CompareProps {
    /// The state.
    pub state: Shared,
}

/// The comparison table and chart.
#[component]
pub fn Compare(props: &CompareProps) -> Html {
    let n = props.state.nodes;
    let rows = props.state.panels.iter().map(|panel| {
        let p = panel.protocol();
        let s = &panel.seen.summary;
        let textbook = p.textbook(n);
        let d = s.decisions;
        let per = |x: u64| if d == 0 { "–".to_string() } else { format!("{:.2}", x as f64 / d as f64) };
        let measured = panel.per_decision();
        let over = measured.is_some_and(|m| m > textbook as f64 + 1e-9);
        let by_type: Vec<String> = s.by_type.iter().map(|(k, v)| format!("{k} {}", per(*v))).collect();
        let notes: Vec<String> = s.notifications.iter().map(|(k, v)| format!("{k} {}", per(*v))).collect();
        let background: Vec<String> = s.background.iter().map(|(k, v)| format!("{k} {v}")).collect();
        html! {
            <tr class={classes!(over.then_some("over"))}>
                <th scope="row">{ p.title() }</th>
                <td data-label="Decisions">{ d }</td>
                <td class="measured" data-label="Measured">
                    { measured.map_or("–".to_string(), |m| format!("{m:.2}")) }
                    { if over { html! { <span class="badge">{ "above textbook" }</span> } } else { html! {} } }
                </td>
                <td data-label="Textbook">{ format!("{textbook} = {}(N−1)", p.textbook(2)) }</td>
                <td class="types" data-label="By type">
                    { if by_type.is_empty() { "–".to_string() } else { by_type.join(", ") } }
                    { if notes.is_empty() { html! {} } else { html! { <div class="notes">{ format!("+ notifications: {}", notes.join(", ")) }</div> } } }
                    <div class="notes">{ format!("Others learn a decision: {}.", p.learning()) }</div>
                </td>
                <td data-label="Message delays">{ per(s.delays) }</td>
                <td data-label="Ticks">{ per(s.ticks) }</td>
                <td data-label="Background">{ if background.is_empty() { "none".to_string() } else { background.join(", ") } }</td>
            </tr>
        }
    });
    let charts = props.state.panels.iter().map(|panel| {
        let p = panel.protocol();
        let points = &panel.seen.decisions;
        let recent = &points[points.len().saturating_sub(CHART)..];
        let textbook = p.textbook(n) as f64;
        let top = recent.iter().map(|d| d.messages as f64).fold(textbook * 1.5, f64::max).max(1.0);
        let (w, h) = (CHART as f64 * 8.0, 60.0);
        let bars = recent.iter().enumerate().map(|(i, d)| {
            let bh = d.messages as f64 / top * h;
            let over = d.messages as f64 > textbook;
            html! {
                <rect class={classes!("bar", over.then_some("over"))} x={(i as f64 * 8.0 + 1.0).to_string()} y={(h - bh).to_string()}
                      width="6" height={bh.to_string()}>
                    <title>{ format!("decision at t={}: {} messages", d.at, d.messages) }</title>
                </rect>
            }
        });
        let ty = h - textbook / top * h;
        html! {
            <figure class="chart">
                <svg viewBox={format!("0 0 {w} {h}")} role="img"
                     aria-label={format!("{}: messages for each of the last {} decisions, against the textbook {}", p.title(), recent.len(), textbook)}>
                    { for bars }
                    <line class="textbook" x1="0" x2={w.to_string()} y1={ty.to_string()} y2={ty.to_string()} />
                </svg>
                <figcaption>{ if recent.is_empty() {
                    format!("{}: no decision yet; send a Request", p.title())
                } else {
                    format!("{}: each bar one decision; dashed line = textbook", p.title())
                } }</figcaption>
            </figure>
        }
    });
    // Reads, per path that served any: measured beside what the path costs.
    let read_rows: Vec<Html> = props
        .state
        .panels
        .iter()
        .flat_map(|panel| {
            let title = panel.protocol().title();
            panel.sim.read_costs().into_iter().map(move |c| {
                let over = c.measured > c.expected as f64 + 1e-9;
                html! {
                    <tr class={classes!(over.then_some("over"))}>
                        <th scope="row">{ title }</th>
                        <td data-label="Read path">{ path_name(c.path) }</td>
                        <td data-label="Reads">{ c.reads }</td>
                        <td class="measured" data-label="Measured">{ format!("{:.2}", c.measured) }</td>
                        <td data-label="Expected">{ c.expected }</td>
                    </tr>
                }
            })
        })
        .collect();
    let reads = (!read_rows.is_empty()).then(|| {
        html! {
            <div class="table-wrap">
                <table>
                    <caption>{ "Messages per read, by read path" }</caption>
                    <thead>
                        <tr>
                            <th scope="col">{ "Protocol" }</th>
                            <th scope="col">{ "Read path" }</th>
                            <th scope="col">{ "Reads" }</th>
                            <th scope="col">{ "Measured" }</th>
                            <th scope="col">{ "Expected" }</th>
                        </tr>
                    </thead>
                    <tbody>{ for read_rows }</tbody>
                </table>
            </div>
        }
    });
    html! {
        <section class="compare" aria-labelledby="compare-caption">
            <div class="table-wrap">
                <table>
                    <caption id="compare-caption">{ "Messages per decision" }</caption>
                    <thead>
                        <tr>
                            <th scope="col">{ "Protocol" }</th>
                            <th scope="col">{ "Decisions" }</th>
                            <th scope="col">{ "Measured" }</th>
                            <th scope="col">{ "Textbook" }</th>
                            <th scope="col">{ "By type, per decision" }</th>
                            <th scope="col">{ "Message delays" }</th>
                            <th scope="col">{ "Ticks" }</th>
                            <th scope="col">{ "Background (all)" }</th>
                        </tr>
                    </thead>
                    <tbody>{ for rows }</tbody>
                </table>
            </div>
            <div class="charts">{ for charts }</div>
            { reads.unwrap_or_default() }
        </section>
    }
}
