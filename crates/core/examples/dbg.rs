use consensus_core::explore::*;
use consensus_core::*;
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let seed: u64 = args[1].parse().unwrap();
    let from: usize = args[2].parse().unwrap();
    let r = random_run(ProtocolKind::Zab, seed, 1000, Mistakes::NONE, false);
    let live = r.sim.unwrap();
    let mut sim = AnySim::new(ProtocolKind::Zab, live.config().clone()).unwrap();
    println!("{:?}", live.config());
    for (i, a) in live.actions().iter().enumerate() {
        let ev = sim.apply(a.clone()).unwrap();
        if i + 1 >= from {
            println!("--- step {} {a}", i + 1);
            for e in ev { println!("{e}"); }
        }
    }
    for (i, v) in sim.views().iter().enumerate() {
        println!("{}", consensus_core::scenario::node_line(i as u8 + 1, v.as_ref()));
    }
}
