//! Promoters: create and configure sales, open / pause / close them, watch the numbers.

use super::answers::{SaleList, SaleListEntry};
use crate::clock;
use crate::ctx::Ctx;
use crate::edge_cache::{protected_sites, snapshots};
use crate::error::ApiError;
use crate::http;
use crate::invitations;
use crate::objects::monitor::{Monitor, MonitorCommand, MonitorReport};
use crate::objects::{
    may_protect, unexpected, ClockPoke, ClockPoked, Coordinator, Fault, FaultReport,
    ProtectedSites, Registry, RegistryCommand, RegistryFault, RegistryFaultReport, Shard,
    MAX_PROTECTED,
};

use crate::random;
use crate::response::json;
use futures::future::join_all;
use waitroom_core::machines::protocol::{Command, Reply, SaleReport};
use waitroom_core::sale::{ProtectSpec, SaleSettingsInput};
use waitroom_core::{SaleId, SaleSettings};
use worker::{Request, Response};

/// What a promoter does to a sale: `POST /api/admin/sales/{sale}/open`, `/pause` or `/close`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SaleAction {
    Open,
    Pause,
    Close,
}

impl SaleAction {
    /// The action a path segment names; anything else is no route.
    pub fn parse(segment: &str) -> Option<Self> {
        match segment {
            "open" => Some(SaleAction::Open),
            "pause" => Some(SaleAction::Pause),
            "close" => Some(SaleAction::Close),
            _ => None,
        }
    }

    fn command(self) -> Command {
        match self {
            SaleAction::Open => Command::Open,
            SaleAction::Pause => Command::Pause,
            SaleAction::Close => Command::Close,
        }
    }
}

pub(super) fn authorize(req: &Request, ctx: &Ctx) -> Result<(), ApiError> {
    http::require_key(req, &crate::config::api_keys(&ctx.env)?.admin)
}

async fn report_of(ctx: &Ctx, sale: &SaleId) -> Result<SaleReport, ApiError> {
    match ctx
        .objects
        .ask(&Coordinator(sale), &Command::Report)
        .await?
    {
        Reply::Report(report) => Ok(*report),
        other => Err(unexpected(other)),
    }
}

/// `report` as the promoter sees it, with the sale's `protect` (the sale keeps it as text,
/// [`ProtectSpec`], so no edge module reads it) as its JSON object, from the registry's list of
/// protected sales as this isolate keeps it.
async fn shown(ctx: &Ctx, report: &SaleReport) -> Result<serde_json::Value, ApiError> {
    let protect = protected_sites::of_sale(ctx, &report.sale.id).await?;
    Ok(with_protect(report, protect.as_ref()))
}

fn with_protect(report: &SaleReport, protect: Option<&ProtectSpec>) -> serde_json::Value {
    let mut value = serde_json::to_value(report).unwrap_or_default();
    let protect = protect.and_then(|p| serde_json::from_str(p.text()).ok());
    if let (Some(map), Some(protect)) = (value.as_object_mut(), protect) {
        map.insert("protect".into(), protect);
    }
    value
}

/// `PUT /api/admin/sales/{sale}`: 201 when created, 200 when updated.
pub async fn upsert(mut req: Request, ctx: &Ctx, sale: SaleId) -> Result<Response, ApiError> {
    authorize(&req, ctx)?;
    if sale.is_reserved() {
        // The monitor's own sale: it creates and keeps it, out of the registry.
        return Err(ApiError::InvalidField {
            field: "id",
            message: "is reserved for the synthetic monitor's canary sale".into(),
        });
    }
    let input: SaleSettingsInput = http::read_json(&mut req).await?;
    let settings = SaleSettings::parse(input)?;
    if settings.webhook_url.is_some() {
        // Webhooks are signed: a sale may have one only where the signing key is set and strong.
        crate::config::webhook_key(&ctx.env)?;
    }
    if settings.push.is_some() {
        // Pushes are signed with the deployment's VAPID keys: a sale may call back only where
        // they are set and valid.
        crate::config::vapid_keys(&ctx.env)?;
    }
    if settings.turnstile_site_key.is_some() {
        // Tokens are checked with the secret: a sale may have a site key only where it is set.
        crate::turnstile::require_secret(&ctx.env)?;
    }
    let settings_protect = settings.protect.clone();
    if settings_protect.is_some() {
        // Before anything changes: a sale more than the registry lists at once is refused.
        room_to_protect(ctx, &sale).await?;
    }
    let command = Command::Upsert {
        id: sale.clone(),
        settings,
        fan_salt: random::hex::<16>().into(),
        draw_key: None,
    };
    let Reply::Upserted { created, report } =
        ctx.objects.ask(&Coordinator(&sale), &command).await?
    else {
        return Err(ApiError::Internal("unexpected reply to upsert".into()));
    };
    let protect = settings_protect;
    let register = RegistryCommand::Add { id: sale.clone() };
    ctx.objects.tell(&Registry, &register).await?;
    // The list the edge reads to know which sale guards a host and path.
    let spec = protect.as_ref().map(|p| p.text().to_owned());
    let protected = RegistryCommand::Protect {
        id: sale.clone(),
        spec,
    };
    let listed: Vec<SaleId> = ctx.objects.ask(&Registry, &protected).await?;
    if protect.is_some() && listed.is_empty() {
        // Another PUT took the last place between the check and now: this sale's other settings
        // are saved, its protection is not listed (so nothing guards its paths); said so.
        worker::console_warn!(
            "request {}: {sale}'s protection was refused at the bound after its settings were saved",
            ctx.request_id
        );
        sale_changed(ctx, &sale).await;
        return Err(too_many_protected());
    }
    sale_changed(ctx, &sale).await;
    protected_sites::changed(ctx.now);
    let shown = with_protect(&report, protect.as_ref());
    Ok(json(if created { 201 } else { 200 }, &shown))
}

fn too_many_protected() -> ApiError {
    ApiError::TooManyProtected {
        max: MAX_PROTECTED as u64,
    }
}

/// Refuses (`too_many_protected`) protecting `sale` when the registry lists the most protected
/// sales it keeps and `sale` is not one of them (a `PUT` changing a protected sale's protection
/// is never refused). Asked of the registry itself, not of this isolate's list (5 s old).
async fn room_to_protect(ctx: &Ctx, sale: &SaleId) -> Result<(), ApiError> {
    let listed: ProtectedSites = ctx
        .objects
        .ask(&Registry, &RegistryCommand::Protected)
        .await?;
    let ids: Vec<SaleId> = listed.sales.into_iter().map(|s| s.id).collect();
    match may_protect(sale, &ids) {
        true => Ok(()),
        false => Err(too_many_protected()),
    }
}

/// What the isolate a promoter changed `sale` through learns at once (other isolates within
/// their caches' lives): the sale exists, and its snapshot is refreshed at the next request. The
/// edge worker does it too when the full worker answers such a change it handed over.
pub async fn sale_changed(ctx: &Ctx, sale: &SaleId) {
    ctx.objects.sale_created(&ctx.origin, sale, ctx.now).await;
    snapshots::invalidate(sale, ctx.now);
}

/// `POST /api/admin/sales/{sale}/open` (or `/pause`, `/close`).
pub async fn control(
    req: Request,
    ctx: &Ctx,
    sale: SaleId,
    action: SaleAction,
) -> Result<Response, ApiError> {
    authorize(&req, ctx)?;
    let reply = ctx
        .objects
        .ask(&Coordinator(&sale), &action.command())
        .await?;
    sale_changed(ctx, &sale).await;
    match reply {
        Reply::Report(report) => Ok(json(200, &shown(ctx, &report).await?)),
        other => Err(unexpected(other)),
    }
}

/// `GET /api/admin/sales/{sale}`.
pub async fn report(req: Request, ctx: &Ctx, sale: SaleId) -> Result<Response, ApiError> {
    authorize(&req, ctx)?;
    Ok(json(200, &shown(ctx, &report_of(ctx, &sale).await?).await?))
}

/// `GET /api/admin/sales`: every sale with its numbers, newest first. A sale whose report
/// fails is listed as `{id, unavailable: true, error}` instead of failing the list.
pub async fn list(req: Request, ctx: &Ctx) -> Result<Response, ApiError> {
    authorize(&req, ctx)?;
    let ids: Vec<SaleId> = ctx.objects.ask(&Registry, &RegistryCommand::List).await?;
    let reports = join_all(ids.iter().map(|id| report_of(ctx, id))).await;
    let sales = ids
        .into_iter()
        .zip(reports)
        .map(|(id, report)| match report {
            Ok(report) => SaleListEntry::Report(Box::new(report)),
            Err(e) => SaleListEntry::Unavailable {
                id,
                unavailable: true,
                error: e.code(),
            },
        })
        .collect();
    Ok(json(200, &SaleList { sales }))
}

/// `GET /api/admin/monitor`: the synthetic fan's runs of the last 24 h, newest first, the
/// current incident, the threshold and how webhook deliveries went.
pub async fn monitor(req: Request, ctx: &Ctx) -> Result<Response, ApiError> {
    authorize(&req, ctx)?;
    let report: MonitorReport = ctx.objects.ask(&Monitor, &MonitorCommand::Report).await?;
    Ok(json(200, &report))
}

/// `POST /__test/events/poison`, only with `WAITROOM_TEST_FAULTS=1` on a loopback host (else no
/// such route): puts a message no consumer can decode on the events queue.
pub async fn test_poison(ctx: &Ctx) -> Result<Response, ApiError> {
    if !ctx.faults_allowed {
        return Err(ApiError::NotFound);
    }
    ctx.env
        .queue(crate::events::EVENTS_BINDING)?
        .send("this is not an event".to_owned())
        .await?;
    Ok(json(202, &serde_json::json!({ "queued": true })))
}

/// The answer to a fault switch: the fault now on, and what the previous one failed.
#[derive(serde::Serialize)]
struct FaultAnswer {
    #[serde(flatten)]
    fault: Fault,
    failed_by_kind: std::collections::BTreeMap<String, u64>,
}

/// `PUT /api/admin/sales/{sale}/fault` (tests only; see [`crate::test_faults`]): the sale's
/// coordinator waits `delay_ms` before every later command, and then fails it if `fail`.
pub async fn fault(mut req: Request, ctx: &Ctx, sale: SaleId) -> Result<Response, ApiError> {
    authorize(&req, ctx)?;
    let fault: Fault = http::read_json(&mut req).await?;
    if fault.forget_edge_numbering {
        crate::edge_numbering::forget(&sale);
    }
    let report: FaultReport = ctx.objects.ask(&Coordinator(&sale), &fault).await?;
    Ok(json(
        200,
        &FaultAnswer {
            fault,
            failed_by_kind: report.failed_by_kind,
        },
    ))
}

/// `PUT /api/admin/test/registry` (tests only; see [`crate::test_faults`]): the registry fails
/// every command from now on (`{"fail": true}`) or stops; answers what it was asked so far, by
/// kind.
pub async fn test_registry(mut req: Request, ctx: &Ctx) -> Result<Response, ApiError> {
    authorize(&req, ctx)?;
    let fault: RegistryFault = http::read_json(&mut req).await?;
    let report: RegistryFaultReport = ctx
        .objects
        .ask(&Registry, &RegistryCommand::TestFault(fault))
        .await?;
    Ok(json(200, &report))
}

/// `POST /api/admin/test/clock` (tests only; see [`crate::clock`] and [`crate::test_faults`]):
/// moves the clock forward by `advance_ms` (or to `offset_ms`, never back) in this isolate, and
/// runs at the moved time the pending alarm of every sale's coordinator and arrival shards, which
/// set their next alarms from it. Answers once they ran: what was due by then is done.
pub async fn test_clock(mut req: Request, ctx: &Ctx) -> Result<Response, ApiError> {
    authorize(&req, ctx)?;
    let by: clock::Move = http::read_json(&mut req).await?;
    let offset = clock::moved(clock::offset_ms(), &by).map_err(|(field, message)| {
        ApiError::InvalidField {
            field,
            message: message.into(),
        }
    })?;
    let offset = clock::learn_offset(offset);
    let sales: Vec<SaleId> = ctx.objects.ask(&Registry, &RegistryCommand::List).await?;
    let poke = ClockPoke { offset_ms: offset };
    let coordinators = join_all(sales.iter().map(|sale| async move {
        ctx.objects
            .ask::<_, ClockPoked>(&Coordinator(sale), &poke)
            .await
    }))
    .await;
    let mut alarms_run = 0;
    let mut shards = Vec::new();
    for (sale, poked) in sales.iter().zip(coordinators) {
        let poked = poked?;
        alarms_run += u32::from(poked.alarm_ran);
        shards.extend((0..poked.shards).map(|shard| Shard { sale, shard }));
    }
    // After the coordinators: a shard's alarm closes its block at its coordinator.
    for poked in join_all(
        shards
            .into_iter()
            .map(|shard| async move { ctx.objects.ask::<_, ClockPoked>(&shard, &poke).await }),
    )
    .await
    {
        alarms_run += u32::from(poked?.alarm_ran);
    }
    Ok(json(
        200,
        &clock::Moved {
            offset_ms: offset,
            now_ms: clock::now().0,
            alarms_run,
        },
    ))
}

/// `POST /api/admin/sales/{sale}/invitations`: invitation links signed by our own key (which
/// every sale trusts), for promoters without an identity system. Body `{"members": [ids]}` or
/// `{"count": n}` (random member ids), optionally `ttl_s` and `assist`; nothing is stored.
pub async fn invitations(mut req: Request, ctx: &Ctx, sale: SaleId) -> Result<Response, ApiError> {
    authorize(&req, ctx)?;
    let body: invitations::GenerateBody = http::read_json(&mut req).await?;
    let members = invitations::members_to_invite(&body, || format!("m-{}", random::hex::<8>()))?;
    let ttl_s = invitations::ttl_of(&body)?;
    ctx.require_sale(&sale).await?;
    let signer = invitations::signer(&ctx.config()?.secrets.token_keys)?;
    let expires_at = ctx.now.plus_secs(ttl_s);
    let list = members
        .into_iter()
        .map(|member| {
            let invitation = signer.sign_with(&sale, &member, ctx.now, expires_at, body.assist);
            let url = format!("{}/s/{sale}?invitation={invitation}", ctx.origin);
            invitations::Generated {
                member: member.to_string(),
                invitation,
                url,
            }
        })
        .collect();
    Ok(json(
        200,
        &invitations::GeneratedList {
            invitations: list,
            expires_at,
        },
    ))
}
