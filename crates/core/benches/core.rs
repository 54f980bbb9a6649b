//! The core's cost per operation, as a Durable Object pays it: criterion benchmarks of the
//! coordinator's public operations, each followed by `take_changes` (the records the object would
//! write), on lines of a realistic size; and a join through `SaleMachine::handle`, the
//! object's one entry point, to show what that layer adds.
//!
//! `cargo bench -p waitroom-core` (or `make bench-core`). Criterion keeps its own output in
//! `target/criterion/`; this binary then writes the medians, as time and operations per second,
//! to `target/bench/core.md`.

use criterion::{BatchSize, Criterion, SamplingMode};
use std::fmt::Write as _;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};
use waitroom_core::machines::protocol::Command;
use waitroom_core::machines::sale_machine::Step;
use waitroom_core::queue::{
    fan_id_for, Assignment, AssignmentState, BlockRecord, MinuteStats, PullRecord, Restored,
};
use waitroom_core::sale::{SaleSettings, SaleSettingsInput};
use waitroom_core::{Position, Queue, RequestId, SaleId, SaleMachine, Seq, UnixMillis, WindowId};

const T0: UnixMillis = UnixMillis(1_800_000_000_000);
const SALT: &str = "bench-salt-0123456789abcdef";
const WINDOWS: u64 = 16;

/// One benchmark: its criterion id and what the report says it measures.
struct Bench {
    id: &'static str,
    label: &'static str,
    what: &'static str,
    /// Fans one operation handles (for the per-fan column), if more than one.
    fans: u64,
}

const BENCHES: &[Bench] = &[
    Bench {
        id: "join",
        label: "join",
        what: "one fan joins a sale without arrival shards (`shards` = 1: every join reaches the coordinator)",
        fans: 1,
    },
    Bench {
        id: "join_via_handle",
        label: "join via handle",
        what: "the same join as the Durable Object runs it: `SaleMachine::handle` with the command (counted by kind), then `take_changes` (the request counts come along)",
        fans: 1,
    },
    Bench {
        id: "pull_100",
        label: "pull of 100",
        what: "a window takes 100 fans from a line of ~1M; one pull per virtual second, so earlier assignments lapse and leave memory as in a sale (presence off: every fan is taken)",
        fans: 100,
    },
    Bench {
        id: "admit_signed",
        label: "admission with a signed pass",
        what: "the coordinator's ceiling: one fan admitted as the object runs it, `SaleMachine::handle` for a pull of 1 then the fan's claim, whose pass is signed (Ed25519, the machine's keys), each with `take_changes`, and one join to keep the line's length (so this is a join, a pull and a claim: the coordinator's whole work per admitted fan); a line of 200,000 joined fans",
        fans: 1,
    },
    Bench {
        id: "snapshot",
        label: "snapshot",
        what: "the edge's snapshot of a line of 1M fans with 1,000 gaps (8 shards' blocks)",
        fans: 1,
    },
    Bench {
        id: "draw_poll_v1",
        label: "poll of a drawn fan, draw v1",
        what: "the edge places a pre-queue fan after the draw, as each poll does (`Snapshot::position_of`: the permutation keyed from the published draw, then `position_of`), 500,000 drawn; v1 (HMAC-SHA256 rounds; sales drawn before v2)",
        fans: 1,
    },
    Bench {
        id: "draw_poll_v2",
        label: "poll of a drawn fan, draw v2",
        what: "the same with v2 (SipHash-2-4 rounds keyed by one HMAC-SHA256: every draw since)",
        fans: 1,
    },
    Bench {
        id: "presence_1000",
        label: "presence batch of 1,000",
        what: "an isolate reports 1,000 fans near the front as present (a 48,000-fan zone, all seen before)",
        fans: 1_000,
    },
    Bench {
        id: "device_proof_check",
        label: "device proof, the rule",
        what: "the edge's check of a bound place's `Device-Proof` (parse, RFC 7638 thumbprint, sale, place, purpose, window): what a claim of a bound place adds at the edge",
        fans: 1,
    },
    Bench {
        id: "device_proof_verify",
        label: "device proof, with its signature",
        what: "the coordinator's check of the same proof: the rule and the ES256 signature (RustCrypto p256), before a bound claim runs",
        fans: 1,
    },
    Bench {
        id: "restore_1m",
        label: "restore, 1M arrivals",
        what: "rebuild the line of a sale with 1M arrivals from its stored records: 288,000 assignments of the last 6 minutes (48,000 active), 400 blocks with gaps ahead, 48,000 pull records, 20 minutes of stats",
        fans: 1,
    },
];

fn settings(shards: u32, presence_ttl_s: u64) -> SaleSettings {
    SaleSettings::parse(SaleSettingsInput {
        name: "Benchmark tour".into(),
        purchase_url: "https://tickets.example/buy".into(),
        claim_ttl_s: Some(60),
        pass_ttl_s: Some(600),
        shards: Some(shards),
        presence_ttl_s: Some(presence_ttl_s),
        ..SaleSettingsInput::default()
    })
    .expect("valid settings")
}

fn open_sale(shards: u32, presence_ttl_s: u64) -> Queue {
    let mut c = Queue::create(
        SaleId::parse("bench").unwrap(),
        settings(shards, presence_ttl_s),
        SALT.into(),
        None,
        T0,
    )
    .unwrap();
    c.open(T0).unwrap();
    c.take_changes();
    c
}

fn window(w: u64) -> WindowId {
    WindowId::parse(&format!("window-{w}")).unwrap()
}

/// Adds `blocks` blocks of arrivals as 8 shards would: each leases 1,500 numbers and uses 1,000,
/// so every block leaves a gap of 500.
fn add_arrivals(c: &mut Queue, now: UnixMillis, blocks: u64) {
    for b in 0..blocks {
        let shard = (b % 8) as u32;
        let lease = c.lease_block(now, shard, None, 1_500).expect("open sale");
        c.close_block(now, shard, lease.start, 1_000);
    }
    c.take_changes();
}

fn join(crit: &mut Criterion) {
    let mut c = open_sale(1, 30);
    let mut now = T0;
    crit.bench_function("join", |b| {
        b.iter(|| {
            now = now.plus_millis(1);
            let joined = c.join(now, None).expect("open sale");
            black_box((joined, c.take_changes()))
        })
    });
}

fn join_via_handle(crit: &mut Criterion) {
    let mut core = SaleMachine::default();
    let upsert = Command::Upsert {
        id: SaleId::parse("bench").unwrap(),
        settings: settings(1, 30),
        fan_salt: SALT.into(),
        draw_key: None,
    };
    for command in [upsert, Command::Open] {
        let step = core.handle(command, T0);
        assert!(matches!(step, Step::Reply(Ok(_))), "{step:?}");
    }
    core.take_changes();
    let mut now = T0;
    crit.bench_function("join_via_handle", |b| {
        b.iter(|| {
            now = now.plus_millis(1);
            let step = core.handle(
                Command::Join {
                    existing: None,
                    pow: None,
                },
                now,
            );
            black_box((step, core.take_changes()))
        })
    });
}

/// The coordinator's ceiling: admissions a second, each a pull of one fan and that fan's claim
/// with its pass signed, as the object runs them (`handle`, needs answered, `take_changes`).
fn admit_signed(crit: &mut Criterion) {
    use std::collections::HashMap;
    use waitroom_core::keys::pass::PassSigner;
    use waitroom_core::machines::protocol::Reply;
    use waitroom_core::machines::sale_machine::{Need, PassSigning, Record};
    use waitroom_core::queue::{Change, Claim};
    let signing = PassSigning {
        keys: std::rc::Rc::new(PassSigner::from_seed([7; 32])),
        issuer: "waitroom".into(),
    };
    let mut core = SaleMachine::default();
    let mut stored: HashMap<Seq, Assignment> = HashMap::new();
    // Runs `command` to its reply, answering the machine's needs as the object's storage does.
    let mut run = |core: &mut SaleMachine, command: Command, now: UnixMillis| {
        let mut step = core.handle(command, now);
        let reply = loop {
            match step {
                Step::Reply(reply) => break reply,
                Step::Need(Need::PassSigning) => {
                    step = core.supply(Record::PassSigning(Some(signing.clone())), now)
                }
                Step::Need(Need::AssignmentBySeq(seq)) => {
                    step = core.supply(Record::Assignment(stored.get(&seq).cloned()), now)
                }
                Step::Need(other) => panic!("an unexpected need: {other:?}"),
            }
        };
        for change in core.take_changes() {
            if let Change::Assignment(a) = change {
                stored.insert(a.seq, a);
            }
        }
        reply
    };
    let upsert = Command::Upsert {
        id: SaleId::parse("bench").unwrap(),
        settings: settings(1, 0),
        fan_salt: SALT.into(),
        draw_key: None,
    };
    for command in [upsert, Command::Open] {
        assert!(run(&mut core, command, T0).is_ok());
    }
    let join = || Command::Join {
        existing: None,
        pow: None,
    };
    for _ in 0..200_000 {
        assert!(run(&mut core, join(), T0).is_ok());
    }
    let mut now = T0;
    let mut pulls = 0u64;
    crit.bench_function("admit_signed", |b| {
        b.iter(|| {
            now = now.plus_millis(1);
            pulls += 1;
            // Keep the line from running dry: one join per admission.
            run(&mut core, join(), now).expect("join");
            let pull = Command::Pull {
                window: window(pulls % WINDOWS),
                max: 1,
                request_id: None,
            };
            let Ok(Reply::Pulled(pulled)) = run(&mut core, pull, now) else {
                panic!("no pull");
            };
            let seq = pulled.assignments[0].seq;
            let Ok(Reply::Claim(Claim::Turn {
                pass: Some(pass), ..
            })) = run(&mut core, Command::Claim { seq, hand: 0 }, now)
            else {
                panic!("no signed turn for {seq}");
            };
            black_box(pass)
        })
    });
}

fn pull(crit: &mut Criterion) {
    let mut c = open_sale(8, 0);
    let mut now = T0;
    add_arrivals(&mut c, now, 1_000);
    let mut waiting: u64 = 1_000 * 1_000;
    let mut pulls = 0u64;
    crit.bench_function("pull_100", |b| {
        b.iter_custom(|iters| {
            let mut spent = Duration::ZERO;
            for _ in 0..iters {
                if waiting < 100_000 {
                    add_arrivals(&mut c, now, 900);
                    waiting += 900 * 1_000;
                }
                now = now.plus_secs(1);
                pulls += 1;
                let w = window(pulls % WINDOWS);
                let started = Instant::now();
                let pulled = c.pull(now, w, 100, None).expect("pull");
                let changes = c.take_changes();
                spent += started.elapsed();
                waiting -= pulled.assignments.len() as u64;
                black_box((pulled, changes));
            }
            spent
        })
    });
}

fn snapshot(crit: &mut Criterion) {
    let mut c = open_sale(8, 30);
    let now = T0;
    add_arrivals(&mut c, now, 1_000);
    // An admission rate, so that the presence zone and the estimates are computed as in a sale.
    for w in 0..WINDOWS {
        c.pull(now, window(w), 50, None).expect("pull");
    }
    c.take_changes();
    let later = now.plus_secs(10);
    crit.bench_function("snapshot", |b| {
        b.iter(|| {
            c.sweep(later);
            black_box(c.snapshot(later))
        })
    });
}

/// The edge's cost per poll of a drawn fan: the permutation keyed from the published draw, then
/// the fan's position, for each version.
fn draw_poll(crit: &mut Criterion) {
    use waitroom_core::queue::draw::{DrawInfo, DrawKey, DrawVersion, Permutation};
    const END: u64 = 500_000;
    let key = DrawKey::from_bytes([9; 32]);
    for (id, version) in [
        ("draw_poll_v1", DrawVersion::V1),
        ("draw_poll_v2", DrawVersion::V2),
    ] {
        let info = DrawInfo {
            algorithm: version.algorithm().into(),
            commitment: key.commitment(),
            key: Some(key.clone()),
            end: END,
        };
        let mut seq = 0u64;
        crit.bench_function(id, |b| {
            b.iter(|| {
                seq = seq % END + 7_919;
                let p = Permutation::of_draw(black_box(&info)).expect("a known version");
                black_box(p.position_of(seq % END + 1))
            })
        });
    }
}

fn presence(crit: &mut Criterion) {
    const ZONE: u64 = 48_000;
    let mut c = open_sale(8, 30);
    let mut now = T0;
    add_arrivals(&mut c, now, 1_000);
    // No pre-queue: the head's position is a number.
    let head = c.snapshot(now).head.0;
    for seq in head..head + ZONE {
        c.present(now, seq);
    }
    let mut batch = 0u64;
    crit.bench_function("presence_1000", |b| {
        b.iter(|| {
            now = now.plus_millis(10);
            batch += 1;
            let from = head + (batch * 1_000) % ZONE;
            c.sweep(now);
            for seq in from..from + 1_000 {
                c.present(now, seq);
            }
            black_box(c.take_changes())
        })
    });
}

/// What storage holds for a sale with 1M arrivals, 600,000 of them served at 800 a second by
/// 16 windows: the records a restart reads back (see the Durable Object's store).
fn restored_sale_of_a_million() -> (waitroom_core::Sale, Restored) {
    const BLOCK: u64 = 1_500;
    const USED: u64 = 1_000;
    const BLOCKS: u64 = 1_000;
    const SERVED_BLOCKS: u64 = 600;
    const IN_MEMORY: u64 = 288_000;
    const ACTIVE: u64 = 48_000;
    let sale = open_sale(8, 30).sale().clone();
    let arrivals_from = T0;
    let served_until = T0.plus_secs(20 * 60);
    let head = SERVED_BLOCKS * BLOCK + 1;
    let blocks = (SERVED_BLOCKS..BLOCKS)
        .map(|b| BlockRecord {
            start: b * BLOCK + 1,
            len: BLOCK,
            shard: (b % 8) as u32,
            leased_at: arrivals_from.plus_millis(b * 125),
            used: Some(USED),
            use_before: None,
            gaps: Vec::new(),
        })
        .collect();
    // The served fans, newest last: the used prefix of each block behind head.
    let served: Vec<Seq> = (0..SERVED_BLOCKS)
        .flat_map(|b| (b * BLOCK + 1)..(b * BLOCK + 1 + USED))
        .collect();
    let recent = &served[served.len() - IN_MEMORY as usize..];
    let assignments: Vec<Assignment> = recent
        .iter()
        .enumerate()
        .map(|(i, &seq)| {
            let from_end = IN_MEMORY - i as u64;
            let assigned_at = UnixMillis(served_until.0 - from_end * 1_000 / 800);
            let active = from_end <= ACTIVE;
            Assignment {
                fan_id: fan_id_for(&sale.fan_salt, seq),
                seq,
                window: window(seq % WINDOWS),
                state: if active {
                    AssignmentState::Assigned
                } else {
                    AssignmentState::Completed
                },
                assigned_at,
                claim_by: assigned_at.plus_secs(60),
                claimed_at: Some(assigned_at.plus_secs(2)),
                finished_at: (!active).then(|| assigned_at.plus_secs(30)),
                rejoined_as: None,
                assisted: false,
                party_size: 0,
                party_seat: 0,
            }
        })
        .collect();
    let pulls = recent
        .chunks(6)
        .take(48_000)
        .enumerate()
        .map(|(i, seqs)| PullRecord {
            request_id: RequestId::parse(&format!("{:x}:pull:{i}", i as u64 % WINDOWS)).unwrap(),
            window: window(i as u64 % WINDOWS),
            max: 6,
            seqs: seqs.to_vec(),
            at: UnixMillis(served_until.0 - 300_000 + i as u64 * 300_000 / 48_000),
        })
        .collect();
    let minutes = (0..20)
        .map(|m| MinuteStats {
            minute: T0.minute() + m,
            arrivals: if m < 3 { 333_333 } else { 0 },
            admissions: 30_000,
        })
        .collect();
    let served_total = SERVED_BLOCKS * USED;
    let restored = Restored {
        next_seq: BLOCKS * BLOCK + 1,
        head: Position(head),
        gap_total: BLOCKS * (BLOCK - USED),
        draw: None,
        assignments,
        pulls,
        minutes,
        waits: Default::default(),
        assisted: Vec::new(),
        party_members: Vec::new(),
        blocks,
        state_counts: Some(vec![
            (AssignmentState::Assigned, ACTIVE),
            (AssignmentState::Completed, served_total - ACTIVE),
        ]),
        moves: Vec::new(),
        callers: Vec::new(),
        net_periods: Vec::new(),
    };
    (sale, restored)
}

fn restore(crit: &mut Criterion) {
    let (sale, restored) = restored_sale_of_a_million();
    let check = Queue::restore(sale.clone(), restored.clone());
    check.check_invariants().expect("a consistent stored sale");
    assert_eq!(check.stats(T0).joined, 1_000_000);
    drop(check);
    let mut group = crit.benchmark_group("restore");
    // An iteration takes ~0.2 s: ten equal samples (flat), not criterion's growing ones.
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("restore_1m", |b| {
        b.iter_batched(
            || (sale.clone(), restored.clone()),
            |(sale, restored)| Queue::restore(sale, restored),
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

/// Where criterion writes, by its own rule: `$CRITERION_HOME`, else `<target dir>/criterion`.
/// A fresh proof of a device (a fixed key) for place 42 of `tour`, as a page makes it.
fn device_proof(now: UnixMillis) -> (String, String) {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
    use base64::Engine;
    use p256::ecdsa::signature::Signer;
    use waitroom_core::keys::device::{DeviceJwk, DeviceKey, PROOF_TYP};
    let key = p256::ecdsa::SigningKey::from_bytes(&[7u8; 32].into()).expect("a key");
    let point = key.verifying_key().to_encoded_point(false);
    let jwk = DeviceJwk {
        kty: "EC".into(),
        crv: "P-256".into(),
        x: B64.encode(point.x().expect("x")),
        y: B64.encode(point.y().expect("y")),
    };
    let thumbprint = DeviceKey::from_jwk(&jwk).expect("a key").thumbprint();
    let header = serde_json::json!({"alg": "ES256", "typ": PROOF_TYP, "jwk": jwk});
    let claims =
        serde_json::json!({"sale": "tour", "seq": 42, "purpose": "claim", "iat": now.as_secs()});
    let signed = format!(
        "{}.{}",
        B64.encode(header.to_string()),
        B64.encode(claims.to_string())
    );
    let signature: p256::ecdsa::Signature = key.sign(signed.as_bytes());
    (
        format!("{signed}.{}", B64.encode(signature.to_bytes())),
        thumbprint,
    )
}

fn device_proofs(crit: &mut Criterion) {
    use waitroom_core::keys::device::{DeviceProof, ProofPurpose};
    let (text, bound) = device_proof(T0);
    let sale = SaleId::parse("tour").expect("sale");
    crit.bench_function("device_proof_check", |b| {
        b.iter(|| {
            let proof = DeviceProof::parse(black_box(&text)).expect("parse");
            proof
                .check(&bound, &sale, 42, ProofPurpose::Claim, T0)
                .expect("the rule")
        })
    });
    crit.bench_function("device_proof_verify", |b| {
        b.iter(|| {
            let proof = DeviceProof::parse(black_box(&text)).expect("parse");
            proof
                .verify(&bound, &sale, 42, ProofPurpose::Claim, T0)
                .expect("verified")
        })
    });
}

fn criterion_dir() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(home);
    }
    target_dir().join("criterion")
}

/// The target directory: `$CARGO_TARGET_DIR`, else the one this binary was built in
/// (`<target>/release/deps/core-<hash>`).
fn target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(dir);
    }
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.ancestors().nth(3).map(Path::to_path_buf))
        .unwrap_or_else(|| PathBuf::from("target"))
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// The median of a benchmark run by this process, in nanoseconds.
fn fresh_median_ns(dir: &Path, id: &str, since: SystemTime) -> Option<f64> {
    let path = dir.join(id).join("new").join("estimates.json");
    let modified = std::fs::metadata(&path).and_then(|m| m.modified()).ok()?;
    if modified < since {
        return None;
    }
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).ok()?).ok()?;
    json["median"]["point_estimate"].as_f64()
}

fn duration_text(ns: f64) -> String {
    match ns {
        ns if ns < 1e3 => format!("{ns:.0} ns"),
        ns if ns < 1e6 => format!("{:.2} µs", ns / 1e3),
        ns if ns < 1e9 => format!("{:.2} ms", ns / 1e6),
        ns => format!("{:.2} s", ns / 1e9),
    }
}

fn count_text(n: f64) -> String {
    let digits = format!("{:.0}", n);
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn write_report(since: SystemTime, load_before: &str) {
    let dir = criterion_dir();
    let rows: Vec<(&Bench, f64)> = BENCHES
        .iter()
        .filter_map(|b| {
            let group_dir = if b.id == "restore_1m" {
                dir.join("restore")
            } else {
                dir.clone()
            };
            fresh_median_ns(&group_dir, b.id, since).map(|ns| (b, ns))
        })
        .collect();
    if rows.is_empty() {
        return; // `--test`, `--list` or a filter that matched nothing: no new numbers.
    }
    let mut md = String::new();
    let _ = writeln!(md, "# The core's cost per operation\n");
    let _ = writeln!(
        md,
        "Criterion medians (`cargo bench -p waitroom-core`, bench profile = release: opt-level \"s\", LTO; \
         native {}, {} CPUs). Each operation as a Durable Object runs it, with `take_changes` (the \
         records it would write); `sweep` before snapshots and presence batches. Load average \
         before / after: {load_before} / {} (the machine may be shared: compare ratios, not \
         absolute times). Raw estimates: `{}`.\n",
        std::env::consts::ARCH,
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load_average(),
        dir.display(),
    );
    let _ = writeln!(
        md,
        "| operation | median | per second | per fan | what is measured |\n|---|---:|---:|---:|---|"
    );
    for (b, ns) in &rows {
        let per_fan = if b.fans > 1 {
            duration_text(ns / b.fans as f64)
        } else {
            "".into()
        };
        let _ = writeln!(
            md,
            "| {} | {} | {} | {per_fan} | {} |",
            b.label,
            duration_text(*ns),
            count_text(1e9 / ns),
            b.what
        );
    }
    let missing: Vec<&str> = BENCHES
        .iter()
        .filter(|b| !rows.iter().any(|(r, _)| r.id == b.id))
        .map(|b| b.label)
        .collect();
    if !missing.is_empty() {
        let _ = writeln!(md, "\nNot run this time: {}.", missing.join(", "));
    }
    let out = target_dir().join("bench");
    let written =
        std::fs::create_dir_all(&out).and_then(|()| std::fs::write(out.join("core.md"), &md));
    match written {
        Ok(()) => println!("\n{md}\nreport: {}", out.join("core.md").display()),
        Err(e) => eprintln!("could not write {}: {e}", out.join("core.md").display()),
    }
}

fn main() {
    // Criterion's file times have a second's resolution on some file systems: allow for it.
    let since = SystemTime::now() - Duration::from_secs(1);
    let load_before = load_average();
    let mut crit = Criterion::default().configure_from_args();
    join(&mut crit);
    join_via_handle(&mut crit);
    pull(&mut crit);
    admit_signed(&mut crit);
    snapshot(&mut crit);
    draw_poll(&mut crit);
    presence(&mut crit);
    restore(&mut crit);
    device_proofs(&mut crit);
    crit.final_summary();
    write_report(since, &load_before);
}
