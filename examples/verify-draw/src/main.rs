//! Checks a sale's pre-queue draw from what `GET /api/sales/{sale}/draw` publishes: that the
//! revealed key is the one committed to before the pre-queue opened (its SHA-256), and what
//! place the draw gave every arrival number of the pre-queue, with the permutation of
//! [`waitroom_core::queue::draw`] (the same code the coordinator and the edge use; docs/api.md,
//! "The pre-queue's draw", describes it well enough to write your own).
//!
//! ```sh
//! cargo run -p verify-draw -- --edge-url http://127.0.0.1:8787 --sale demo
//! cargo run -p verify-draw -- --file draw.json --seq 42
//! cargo run -p verify-draw -- --file draw.json --print   # "seq position" for every number
//! ```
//!
//! Exit status: 0 verified, 1 the check failed (or the input is unreadable), 2 not drawn yet.

use clap::Parser;
use std::collections::HashSet;
use std::io::Write;
use std::process::ExitCode;
use waitroom_core::queue::draw::{DrawInfo, DrawVersion, Permutation, ALGORITHM_V1, ALGORITHM_V2};

#[derive(Parser, Debug)]
#[command(about = "Verify a waitroom pre-queue draw")]
struct Args {
    /// The worker's base URL: the draw is fetched from {edge-url}/api/sales/{sale}/draw.
    #[arg(long, env = "EDGE_URL", requires = "sale")]
    edge_url: Option<String>,
    /// The sale id.
    #[arg(long)]
    sale: Option<String>,
    /// Read the draw's JSON from this file instead ("-": standard input).
    #[arg(long, conflicts_with = "edge_url")]
    file: Option<String>,
    /// Also print the drawn position of this arrival number.
    #[arg(long)]
    seq: Option<u64>,
    /// Print "seq position" for every arrival number of the pre-queue.
    #[arg(long)]
    print: bool,
}

/// What the check found.
#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    /// Key matches, positions are a permutation of 1..=end.
    Verified,
    /// The key is not published yet.
    NotDrawn,
    Failed(String),
}

/// Checks `info`: the algorithm is one this verifier implements (v1 or v2), the key hashes to
/// the commitment, and the positions of `1..=end` are each of `1..=end` exactly once (and invert).
fn verify(info: &DrawInfo) -> Verdict {
    let Some(version) = DrawVersion::from_algorithm(&info.algorithm) else {
        return Verdict::Failed(format!(
            "unknown algorithm {:?} (this verifier implements {ALGORITHM_V1:?} and {ALGORITHM_V2:?})",
            info.algorithm
        ));
    };
    let Some(key) = &info.key else {
        return Verdict::NotDrawn;
    };
    if key.commitment() != info.commitment {
        return Verdict::Failed(format!(
            "the key's SHA-256 is {}, but the commitment published before the draw is {}",
            key.commitment(),
            info.commitment
        ));
    }
    let permutation = Permutation::with_version(version, key, info.end);
    let mut seen = HashSet::with_capacity(info.end as usize);
    for seq in 1..=info.end {
        let position = permutation.position_of(seq);
        if !(1..=info.end).contains(&position) || !seen.insert(position) {
            return Verdict::Failed(format!(
                "arrival number {seq} drew position {position} twice or out of range"
            ));
        }
        if permutation.seq_at(position) != seq {
            return Verdict::Failed(format!("position {position} does not map back to {seq}"));
        }
    }
    Verdict::Verified
}

async fn read(args: &Args) -> Result<String, String> {
    match (&args.file, &args.edge_url, &args.sale) {
        (Some(path), _, _) if path == "-" => {
            std::io::read_to_string(std::io::stdin()).map_err(|e| format!("stdin: {e}"))
        }
        (Some(path), _, _) => std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}")),
        (None, Some(edge), Some(sale)) => {
            let url = format!("{}/api/sales/{sale}/draw", edge.trim_end_matches('/'));
            let response = reqwest::get(&url)
                .await
                .map_err(|e| format!("{url}: {e}"))?;
            let status = response.status();
            let body = response.text().await.map_err(|e| format!("{url}: {e}"))?;
            if !status.is_success() {
                return Err(format!("{url}: {status}: {body}"));
            }
            Ok(body)
        }
        _ => Err("give --edge-url and --sale, or --file".into()),
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = Args::parse();
    let text = match read(&args).await {
        Ok(text) => text,
        Err(e) => {
            eprintln!("verify-draw: {e}");
            return ExitCode::from(1);
        }
    };
    let info: DrawInfo = match serde_json::from_str(&text) {
        Ok(info) => info,
        Err(e) => {
            eprintln!("verify-draw: not a draw: {e}");
            return ExitCode::from(1);
        }
    };
    let verdict = verify(&info);
    let summary = serde_json::json!({
        "verified": verdict == Verdict::Verified,
        "drawn": info.key.is_some(),
        "algorithm": info.algorithm,
        "commitment": info.commitment,
        "end": info.end,
        "problem": match &verdict { Verdict::Failed(why) => Some(why.as_str()), _ => None },
    });
    println!("{summary}");
    if verdict != Verdict::Verified {
        return ExitCode::from(if verdict == Verdict::NotDrawn { 2 } else { 1 });
    }
    let Some(permutation) = Permutation::of_draw(&info) else {
        return ExitCode::from(2);
    };
    if let Some(seq) = args.seq {
        if permutation.covers(seq) {
            println!(
                "{}",
                serde_json::json!({"seq": seq, "position": permutation.position_of(seq)})
            );
        } else {
            println!(
                "{}",
                serde_json::json!({"seq": seq, "position": null, "note": "not a pre-queue number: this fan queued after the pre-queue, in arrival order"})
            );
        }
    }
    if args.print {
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        for seq in 1..=info.end {
            let _ = writeln!(out, "{seq} {}", permutation.position_of(seq));
        }
    }
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;
    use waitroom_core::queue::draw::DrawKey;

    fn info(key: Option<DrawKey>, commitment: String) -> DrawInfo {
        DrawInfo {
            algorithm: ALGORITHM_V2.into(),
            commitment,
            key,
            end: 500,
        }
    }

    #[test]
    fn a_matching_key_verifies_and_a_swapped_one_does_not() {
        let key = DrawKey::from_bytes([3; 32]);
        assert_eq!(
            verify(&info(Some(key.clone()), key.commitment())),
            Verdict::Verified
        );
        assert_eq!(verify(&info(None, key.commitment())), Verdict::NotDrawn);
        let other = DrawKey::from_bytes([4; 32]);
        assert!(matches!(
            verify(&info(Some(other), key.commitment())),
            Verdict::Failed(_)
        ));
        let mut unknown = info(Some(key.clone()), key.commitment());
        unknown.algorithm = "shuffle".into();
        assert!(matches!(verify(&unknown), Verdict::Failed(_)));
    }

    #[test]
    fn a_draw_published_with_v1_still_verifies() {
        // Sales whose key was chosen before v2 publish v1, and are checked with it.
        let key = DrawKey::from_bytes([5; 32]);
        let mut v1 = info(Some(key.clone()), key.commitment());
        v1.algorithm = ALGORITHM_V1.into();
        assert_eq!(verify(&v1), Verdict::Verified);
        let p = Permutation::of_draw(&v1).unwrap();
        let old = Permutation::with_version(DrawVersion::V1, &key, 500);
        assert!((1..=500).all(|s| p.position_of(s) == old.position_of(s)));
    }
}
