//! `consensus`: the consensus core from the command line, for course authors
//! and scripts.
//!
//! * `consensus compare --nodes 5 --requests 10 --seed 1 [--json]`
//! * `consensus check --protocol raft --seeds 100 --steps 1000 [--mistake NAME] [--variant NAME]`
//! * `consensus run FILE`
//! * `consensus check --protocol raft --reads` (clients, histories checked)
//! * `consensus history --protocol zab --seed 3 --steps 2000`
//! * `consensus lincheck FILE [--json]`

mod lincheck;

use std::collections::BTreeMap;
use std::io::Write as _;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use consensus_core::explore::{self, Comparison};
use consensus_core::kv::{self, OpState};
use consensus_core::scenario;
use consensus_core::{Mistake, Mistakes, ProtocolKind, Variant, Variants};
use serde_json::{json, Value};

/// `println!` that ends the program quietly when stdout is gone (say, piped
/// into `head`) instead of panicking, the way command-line tools behave.
macro_rules! say {
    ($($arg:tt)*) => {
        if writeln!(std::io::stdout(), $($arg)*).is_err() {
            std::process::exit(141)
        }
    };
}

#[derive(Parser)]
#[command(
    name = "consensus",
    version,
    about = "Raft, Basic Paxos, Zab and Multi-Paxos on one deterministic simulator"
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run the same fault-free workload on every protocol and compare
    /// the messages, message delays and ticks each spends per decision.
    Compare {
        /// Cluster size, 1 to 9.
        #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u8).range(1..=9))]
        nodes: u8,
        /// Client requests, sent one at a time.
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=10_000))]
        requests: u32,
        /// Seed of the random generator.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Random schedules under random fault profiles, with every invariant
    /// checked after every step. Exits 1 at the first violation.
    Check {
        /// raft, paxos, zab, multipaxos or vr.
        #[arg(long, required_unless_present = "list_mistakes")]
        protocol: Option<String>,
        /// How many seeds to run.
        #[arg(long, default_value_t = 100)]
        seeds: u64,
        /// The first seed.
        #[arg(long, default_value_t = 0)]
        start: u64,
        /// Steps per seed.
        #[arg(long, default_value_t = 1000)]
        steps: u32,
        /// Switch on a textbook mistake (repeatable); see --list-mistakes.
        #[arg(long = "mistake")]
        mistakes: Vec<String>,
        /// Run every seed with this protocol variant (repeatable; without
        /// it, each seed draws its variants); see --list-mistakes.
        #[arg(long = "variant")]
        variants: Vec<String>,
        /// Skip the liveness check run on every fourth seed.
        #[arg(long)]
        no_liveness: bool,
        /// Print every event of every run (use with a replay command).
        #[arg(long)]
        trace: bool,
        /// Mix key-value operations from three clients into the schedules
        /// and check every run's history for linearizability.
        #[arg(long)]
        reads: bool,
        /// List the switchable mistakes and protocol variants, and exit.
        #[arg(long)]
        list_mistakes: bool,
    },
    /// Run a scenario file and print its trace.
    Run {
        /// The scenario file.
        file: std::path::PathBuf,
    },
    /// Run a random schedule with three clients and print its client
    /// history in the format `lincheck` reads.
    History {
        /// raft, paxos, zab, multipaxos or vr.
        #[arg(long)]
        protocol: String,
        /// The seed of the schedule.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Steps of the schedule.
        #[arg(long, default_value_t = 2000)]
        steps: u32,
        /// Switch on a textbook mistake (repeatable).
        #[arg(long = "mistake")]
        mistakes: Vec<String>,
        /// Run with this protocol variant (repeatable; without it, the seed
        /// draws the variants).
        #[arg(long = "variant")]
        variants: Vec<String>,
    },
    /// Check a client history for linearizability (one register per key).
    /// Exits 0 if it is linearizable, 1 if not, 2 if the file is malformed.
    Lincheck {
        /// The history file (JSON; see the README for the format).
        file: std::path::PathBuf,
        /// Print the verdict as JSON.
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Cmd::Compare {
            nodes,
            requests,
            seed,
            json,
        } => compare(nodes, requests, seed, json),
        Cmd::Check {
            protocol,
            seeds,
            start,
            steps,
            mistakes,
            variants,
            no_liveness,
            trace,
            reads,
            list_mistakes,
        } => {
            if list_mistakes {
                for m in Mistake::ALL {
                    say!("{:<24} {}", m.name(), m.describe());
                }
                say!("");
                say!("Protocol variants (--variant):");
                for v in Variant::ALL {
                    say!("{:<24} {}", v.name(), v.describe());
                }
                return ExitCode::SUCCESS;
            }
            let opts = CheckOptions {
                seeds,
                start,
                steps,
                liveness: !no_liveness,
                trace,
                clients: if reads { CLIENTS } else { 0 },
            };
            chosen(protocol.as_deref().unwrap_or(""), &mistakes, &variants)
                .and_then(|c| check(&c, &opts))
        }
        Cmd::Run { file } => run(&file),
        Cmd::Lincheck { file, json } => lincheck(&file, json),
        Cmd::History {
            protocol,
            seed,
            steps,
            mistakes,
            variants,
        } => chosen(&protocol, &mistakes, &variants).and_then(|c| history(&c, seed, steps)),
    };
    match result {
        Ok(code) => code,
        Err(msg) => {
            eprintln!("error: {msg}");
            ExitCode::from(2)
        }
    }
}

fn per(n: u64, d: u64) -> f64 {
    if d == 0 {
        0.0
    } else {
        n as f64 / d as f64
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn compare(nodes: u8, requests: u32, seed: u64, as_json: bool) -> Result<ExitCode, String> {
    let mut runs = Vec::new();
    for p in ProtocolKind::ALL {
        runs.push((p, explore::compare(p, nodes, requests, seed)?));
    }
    let reports: Vec<Value> = runs.iter().map(|(p, c)| report(*p, nodes, c)).collect();
    if as_json {
        let doc =
            json!({ "nodes": nodes, "requests": requests, "seed": seed, "protocols": reports });
        say!(
            "{}",
            serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?
        );
    } else {
        print_table(nodes, requests, seed, &reports);
    }
    let failed: Vec<String> = runs
        .iter()
        .filter_map(|(p, c)| c.failure.as_ref().map(|f| format!("{}: {f}", p.title())))
        .collect();
    if failed.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("error: the workload did not finish: {}", failed.join("; "));
        Ok(ExitCode::from(1))
    }
}

fn report(p: ProtocolKind, nodes: u8, c: &Comparison) -> Value {
    let s = c.sim.summary();
    let d = s.decisions;
    let by_type: BTreeMap<&str, f64> = s
        .by_type
        .iter()
        .map(|(k, v)| (*k, round2(per(*v, d))))
        .collect();
    let notes: BTreeMap<&str, f64> = s
        .notifications
        .iter()
        .map(|(k, v)| (*k, round2(per(*v, d))))
        .collect();
    let mut background: BTreeMap<&str, u64> = s.background.clone();
    for (k, v) in &c.setup {
        if let Some(b) = background.get_mut(k) {
            *b -= v;
        }
    }
    background.retain(|_, v| *v > 0);
    json!({
        "protocol": p.name(),
        "title": p.title(),
        "no_setup": p.no_setup(),
        "decisions": d,
        "messages_per_decision": round2(per(s.messages(), d)),
        "textbook_per_decision": p.textbook(nodes),
        "by_type": by_type,
        "notifications_per_decision": notes,
        "message_delays_per_decision": round2(per(s.delays, d)),
        "ticks_per_decision": round2(per(s.ticks, d)),
        "one_time": c.setup,
        "one_time_ticks": c.setup_ticks,
        "background": background,
        "undecided_messages": s.undecided,
    })
}

fn print_table(nodes: u8, requests: u32, seed: u64, reports: &[Value]) {
    say!("Fault-free workload: {nodes} nodes, {requests} requests one at a time, seed {seed}.");
    say!(
        "Messages per decision (N-1 = {}):\n",
        nodes.saturating_sub(1)
    );
    let w = reports
        .iter()
        .map(|r| r["title"].as_str().map_or(0, str::len))
        .max()
        .unwrap_or(0)
        .max(8);
    say!(
        "{:<w$} {:>9} {:>10} {:>9} {:>8} {:>7}   one-time cost",
        "protocol",
        "decisions",
        "msgs/dec",
        "textbook",
        "delays",
        "ticks"
    );
    for r in reports {
        let one_time: Vec<String> = r["one_time"]
            .as_object()
            .map(|o| o.iter().map(|(k, v)| format!("{k} {v}")).collect())
            .unwrap_or_default();
        say!(
            "{:<w$} {:>9} {:>10.2} {:>9} {:>8.2} {:>7.2}   {}",
            r["title"].as_str().unwrap_or(""),
            r["decisions"].as_u64().unwrap_or(0),
            r["messages_per_decision"].as_f64().unwrap_or(0.0),
            r["textbook_per_decision"].as_u64().unwrap_or(0),
            r["message_delays_per_decision"].as_f64().unwrap_or(0.0),
            r["ticks_per_decision"].as_f64().unwrap_or(0.0),
            if one_time.is_empty() {
                format!("none ({})", r["no_setup"].as_str().unwrap_or(""))
            } else {
                format!(
                    "{} messages in {} ticks",
                    one_time.join(", "),
                    r["one_time_ticks"]
                )
            },
        );
    }
    say!("\nBy message type, per decision:");
    for r in reports {
        let mut parts: Vec<String> = Vec::new();
        for (k, v) in r["by_type"].as_object().into_iter().flatten() {
            parts.push(format!("{k} {:.2}", v.as_f64().unwrap_or(0.0)));
        }
        for (k, v) in r["notifications_per_decision"]
            .as_object()
            .into_iter()
            .flatten()
        {
            parts.push(format!(
                "{k} {:.2} (notification, not in the textbook count)",
                v.as_f64().unwrap_or(0.0)
            ));
        }
        say!(
            "  {:<w$} {}",
            r["title"].as_str().unwrap_or(""),
            parts.join(", ")
        );
    }
    say!("\nBackground traffic during the workload:");
    for r in reports {
        let bg: Vec<String> = r["background"]
            .as_object()
            .map(|o| o.iter().map(|(k, v)| format!("{k} {v}")).collect())
            .unwrap_or_default();
        say!(
            "  {:<w$} {}",
            r["title"].as_str().unwrap_or(""),
            if bg.is_empty() {
                "none".into()
            } else {
                bg.join(", ")
            }
        );
    }
}

/// The clients of `check --reads` and `history`.
const CLIENTS: u8 = 3;

struct CheckOptions {
    seeds: u64,
    start: u64,
    steps: u32,
    liveness: bool,
    trace: bool,
    clients: u8,
}

/// The protocol, mistakes and variants named on the command line.
struct Chosen {
    kind: ProtocolKind,
    mistakes: Mistakes,
    /// `None`: each seed draws its own.
    variants: Option<Variants>,
    /// `--mistake` and `--variant` as given, for the replay command.
    switches: String,
}

impl Chosen {
    /// The random configuration of `seed`, with the chosen switches.
    fn config(&self, seed: u64) -> consensus_core::Config {
        let drawn = explore::random_config(seed, self.mistakes);
        consensus_core::Config {
            // Recording events costs more than the protocols and checks
            // together; a run without them takes the same course, and
            // --trace replays it with them.
            trace: false,
            variants: self.variants.unwrap_or(drawn.variants),
            ..drawn
        }
    }
}

fn chosen(
    protocol: &str,
    mistake_names: &[String],
    variant_names: &[String],
) -> Result<Chosen, String> {
    let kind = ProtocolKind::from_name(protocol).ok_or_else(|| {
        format!(
            "unknown protocol '{protocol}': choose {}",
            ProtocolKind::names()
        )
    })?;
    let belongs = |what: &str, name: &str, of: &str| {
        if of == kind.name() {
            Ok(())
        } else {
            Err(format!(
                "{what} '{name}' belongs to {of}, not {}",
                kind.name()
            ))
        }
    };
    let mut mistakes = Mistakes::NONE;
    let mut switches = String::new();
    for name in mistake_names {
        let m = Mistake::from_name(name).ok_or_else(|| {
            format!("unknown mistake '{name}': see consensus check --list-mistakes")
        })?;
        belongs("mistake", name, m.protocol())?;
        mistakes = mistakes.with(m);
        switches.push_str(&format!(" --mistake {name}"));
    }
    let mut variants = None;
    for name in variant_names {
        let v = Variant::from_name(name).ok_or_else(|| {
            format!("unknown variant '{name}': see consensus check --list-mistakes")
        })?;
        belongs("variant", name, v.protocol())?;
        variants = Some(variants.unwrap_or(Variants::NONE).with(v));
        switches.push_str(&format!(" --variant {name}"));
    }
    Ok(Chosen {
        kind,
        mistakes,
        variants,
        switches,
    })
}

fn history(chosen: &Chosen, seed: u64, steps: u32) -> Result<ExitCode, String> {
    let r = explore::run_schedule(chosen.kind, chosen.config(seed), steps, false, CLIENTS);
    let sim = r.sim.as_ref().ok_or("the configuration was refused")?;
    say!(
        "{}",
        serde_json::to_string_pretty(&lincheck::to_file(&kv::history(sim.clients().ops())))
            .map_err(|e| e.to_string())?
    );
    Ok(ExitCode::SUCCESS)
}

fn check(chosen: &Chosen, opts: &CheckOptions) -> Result<ExitCode, String> {
    let CheckOptions {
        seeds,
        start,
        steps,
        liveness,
        trace,
        clients,
    } = *opts;
    let kind = chosen.kind;
    if let Some(m) = chosen.mistakes.iter().find(|m| m.concerns_reads()) {
        if clients == 0 {
            return Err(format!(
                "mistake '{}' is about serving reads: add --reads so that clients read",
                m.name()
            ));
        }
    }
    let mut totals: BTreeMap<&str, u64> = BTreeMap::new();
    let (mut answered, mut unknown) = (0, 0);
    let mut live_runs = 0;
    for seed in start..start.saturating_add(seeds) {
        let r = explore::run_schedule(kind, chosen.config(seed), steps, liveness, clients);
        if trace {
            print_trace(&r);
        }
        for (m, n) in &r.milestones {
            *totals.entry(m.name()).or_insert(0) += n;
        }
        if let Some(sim) = &r.sim {
            for o in sim.clients().ops() {
                match o.state {
                    OpState::Answered(..) => answered += 1,
                    _ => unknown += 1,
                }
            }
        }
        let mut replay = format!(
            "consensus check --protocol {} --start {seed} --seeds 1 --steps {}",
            kind.name(),
            r.steps
        );
        if clients > 0 {
            replay.push_str(" --reads");
        }
        replay.push_str(&chosen.switches);
        if let Some((step, v)) = &r.violation {
            say!("VIOLATION at seed {seed}, step {step}: {v}");
            say!("replay: {replay}");
            return Ok(ExitCode::from(1));
        }
        if let Some(why) = &r.liveness {
            say!(
                "LIVENESS FAILURE at seed {seed}, after step {}: {why}",
                r.steps
            );
            say!("replay: {replay}");
            return Ok(ExitCode::from(1));
        }
        if liveness && seed % 4 == 3 {
            live_runs += 1;
        }
    }
    say!(
        "{}: {seeds} seeds x {steps} steps: every invariant held after every step",
        kind.title()
    );
    if liveness {
        say!("liveness: held in all {live_runs} runs checked (every fourth seed)");
    }
    let m: Vec<String> = totals.iter().map(|(k, v)| format!("{k}={v}")).collect();
    say!("milestones: {}", m.join(" "));
    if clients > 0 {
        say!(
            "clients: {answered} operations answered, {unknown} of unknown outcome; every history linearizable"
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Replay a finished random run and print every event, step by step.
fn print_trace(r: &explore::RunReport) {
    let Some(live) = &r.sim else { return };
    let config = consensus_core::Config {
        trace: true,
        ..live.config().clone()
    };
    say!("seed {}: {config:?}", r.seed);
    let Ok(mut sim) = consensus_core::AnySim::new(live.kind(), config) else {
        return;
    };
    for e in sim.boot_events() {
        say!("{e}");
    }
    for (i, action) in live.actions().iter().enumerate() {
        say!("--- step {}: {action}", i + 1);
        for e in sim.apply_events(action.clone()).unwrap_or_default() {
            say!("{e}");
        }
    }
}

fn run(file: &std::path::Path) -> Result<ExitCode, String> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    match scenario::run_script(&text) {
        Ok(trace) => {
            if write!(std::io::stdout(), "{trace}").is_err() {
                std::process::exit(141)
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => Err(format!("{}: {e}", file.display())),
    }
}

fn lincheck(file: &std::path::Path, as_json: bool) -> Result<ExitCode, String> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let history = lincheck::parse(&text).map_err(|e| format!("{}: {e}", file.display()))?;
    let verdict = lincheck::check(&history).map_err(|e| format!("{}: {e}", file.display()))?;
    if as_json {
        let doc = lincheck::to_json(&history, &verdict);
        say!(
            "{}",
            serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?
        );
    } else if write!(
        std::io::stdout(),
        "{}",
        lincheck::to_text(&history, &verdict)
    )
    .is_err()
    {
        std::process::exit(141)
    }
    Ok(if verdict.linearizable() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
