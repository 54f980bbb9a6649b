//! The synthetic fan, run by the Cron Trigger every minute: one fan through the environment's
//! canary sale, in-process (the coordinator object directly, as the routes call it, never over
//! the network): join, the canary window pulls it, it claims its turn, its pass verifies
//! against the JWKS, the assignment completes. The run's timings and outcome go to the
//! [`crate::durable::MonitorObject`], which keeps them and alerts.

use crate::clock;
use crate::config::{self, slow_ms};
use crate::objects::monitor::{Monitor, MonitorCommand, Recorded};
use crate::objects::{CallError, Coordinator, Objects};
use crate::random;
use waitroom_core::machines::protocol::{Command, Reply};
use waitroom_core::monitor::{verify_pass, Run, Timings, CANARY_SALE, CANARY_WINDOW};
use waitroom_core::queue::{Claim, Joined};
use waitroom_core::sale::SaleSettingsInput;
use waitroom_core::{QueueError, RequestId, SaleId, SaleSettings, UnixMillis, WindowId, MAX_PULL};
use worker::Env;

/// Where the canary's pass would send a fan (nobody goes there: the monitor checks the pass itself).
const CANARY_PURCHASE_URL: &str = "https://canary.waitroom.invalid/purchase";

/// Runs the synthetic fan once and records the run; what the monitor decided.
pub async fn run(env: &Env) -> Result<Recorded, CallError> {
    let started = clock::now();
    let mut timings = Timings::default();
    let error = fan(env, started, &mut timings).await.err();
    timings.total_ms = started.millis_until(clock::now());
    let run = Run::judged(started, timings, error, slow_ms(env));
    worker::console_log!(
        "monitor: canary run {:?} in {} ms{}",
        run.outcome,
        run.timings.total_ms,
        run.error
            .as_deref()
            .map(|e| format!(": {e}"))
            .unwrap_or_default()
    );
    Objects::new(env.clone())
        .ask(&Monitor, &MonitorCommand::Record { run })
        .await
}

/// Milliseconds since `*mark`, moving the mark to now.
fn lap(mark: &mut UnixMillis) -> u64 {
    let now = clock::now();
    let ms = mark.millis_until(now);
    *mark = now;
    ms
}

async fn ask(env: &Env, sale: &SaleId, command: &Command, step: &str) -> Result<Reply, String> {
    // A refusal reads `{step}: refused: {why}`.
    Objects::new(env.clone())
        .ask(&Coordinator(sale), command)
        .await
        .map_err(|e| format!("{step}: {e}"))
}

/// The canary's settings: one shard (joins go to the coordinator), nobody skipped for not
/// polling, short lifetimes so a fan left behind by a failed run is gone soon.
fn canary_settings(env: &Env) -> Result<SaleSettings, String> {
    let webhook_url = env
        .var("CANARY_WEBHOOK_URL")
        .map(|v| v.to_string())
        .ok()
        .filter(|v| !v.is_empty());
    SaleSettings::parse(SaleSettingsInput {
        name: "Synthetic monitor (canary)".into(),
        purchase_url: CANARY_PURCHASE_URL.into(),
        claim_ttl_s: Some(30),
        pass_ttl_s: Some(60),
        shards: Some(1),
        presence_ttl_s: Some(0),
        webhook_url,
        ..SaleSettingsInput::default()
    })
    .map_err(|e| format!("canary settings: {e}"))
}

/// Creates and opens the canary sale if it does not exist. Never put in the registry: the
/// dashboard's list and stats do not show it. An existing canary is left as it is (a promoter
/// who paused it sees the monitor fail, as they should).
async fn ensure_canary(env: &Env, sale: &SaleId) -> Result<(), String> {
    let report: Result<Reply, _> = Objects::new(env.clone())
        .ask(&Coordinator(sale), &Command::Report)
        .await;
    match report {
        Ok(_) => return Ok(()),
        Err(CallError::Refused(QueueError::SaleNotFound)) => {}
        Err(e) => return Err(format!("canary: {e}")),
    }
    let command = Command::Upsert {
        id: sale.clone(),
        settings: canary_settings(env)?,
        fan_salt: random::hex::<16>().into(),
        draw_key: None,
    };
    ask(env, sale, &command, "create the canary").await?;
    ask(env, sale, &Command::Open, "open the canary").await?;
    Ok(())
}

/// One fan through the funnel; which step failed, and why.
async fn fan(env: &Env, started: UnixMillis, timings: &mut Timings) -> Result<(), String> {
    // The shared configuration is checked first, then the pass-signing keys.
    let signer = config::pass_signer(env).map_err(|e| format!("configuration: {e}"))?;
    let sale = SaleId::parse(CANARY_SALE).map_err(|e| e.to_string())?;
    let window = WindowId::parse(CANARY_WINDOW).map_err(|e| e.to_string())?;
    let mut mark = started;

    ensure_canary(env, &sale).await?;
    let Reply::Joined(Joined { fan_id, seq, .. }) = ask(
        env,
        &sale,
        &Command::Join {
            existing: None,
            pow: None,
        },
        "join",
    )
    .await?
    else {
        return Err("join: unexpected reply".into());
    };
    timings.join_ms = Some(lap(&mut mark));

    let request_id =
        RequestId::parse(&format!("canary-{}", random::hex::<8>())).map_err(|e| e.to_string())?;
    let pull = Command::Pull {
        window,
        max: MAX_PULL,
        request_id: Some(request_id),
    };
    let Reply::Pulled(pulled) = ask(env, &sale, &pull, "pull").await? else {
        return Err("pull: unexpected reply".into());
    };
    // Fans left behind by earlier failed runs come first: let them go.
    for stale in pulled.assignments.iter().filter(|a| a.seq != seq) {
        let release = Command::Release {
            fan_id: stale.fan_id.clone(),
        };
        ask(env, &sale, &release, "release a stale canary fan").await?;
    }
    if !pulled.assignments.iter().any(|a| a.seq == seq) {
        return Err(format!(
            "pull: the canary window did not get the canary fan (sale {}, {} pulled)",
            pulled.phase,
            pulled.assignments.len()
        ));
    }
    timings.pull_ms = Some(lap(&mut mark));

    let Reply::Claim(claim) = ask(env, &sale, &Command::Claim { seq, hand: 0 }, "claim").await?
    else {
        return Err("claim: unexpected reply".into());
    };
    // The pass the coordinator signed, as the edge hands it to a fan, checked against the JWKS.
    let Claim::Turn { pass, .. } = claim else {
        return Err(format!("claim: not the fan's turn: {claim:?}"));
    };
    let pass = pass.ok_or("claim: the turn came without its pass")?;
    let jwks = serde_json::to_value(signer.jwks()).map_err(|e| e.to_string())?;
    verify_pass(&jwks, &pass, &sale, fan_id.as_str(), clock::now())
        .map_err(|e| format!("pass: {e}"))?;
    timings.claim_ms = Some(lap(&mut mark));

    let complete = Command::Complete {
        fan_id: fan_id.clone(),
    };
    match ask(env, &sale, &complete, "complete").await? {
        Reply::Assignment(a) if a.state == waitroom_core::AssignmentState::Completed => {}
        other => return Err(format!("complete: unexpected reply {other:?}")),
    }
    timings.complete_ms = Some(lap(&mut mark));
    Ok(())
}
