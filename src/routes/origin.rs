//! The origin's windows: pull the next fans, report each one completed or released, see lapses.

use super::answers::{self, AssignmentAnswer, AssignmentList};
use crate::ctx::Ctx;
use crate::error::ApiError;
use crate::http;
use crate::objects::{unexpected, Coordinator};
use crate::response::{json, json_with, CacheControl};
use serde::{Deserialize, Serialize};
use waitroom_core::codec::tag_first::Only;
use waitroom_core::machines::finish_many::{
    self, AssignmentRef, FinishMany, FinishManyError, FinishedMany, MAX_FINISH_MANY,
};
use waitroom_core::machines::protocol::{Command, Reply};
use waitroom_core::queue::MAX_PULL;
use waitroom_core::{AssignmentState, FanId, RequestId, SaleId, Seq, WindowId};
use worker::{Request, Response};

const DEFAULT_LIST_LIMIT: usize = 100;
const MAX_LIST_LIMIT: usize = 1_000;

/// How a window ends an assignment: `.../assignments/{fan_id}/complete` or `/release`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The fan bought.
    Complete,
    /// The fan abandoned the purchase; the window is free.
    Release,
}

impl Outcome {
    /// The outcome a path segment names; anything else is no route.
    pub fn parse(segment: &str) -> Option<Self> {
        match segment {
            "complete" => Some(Outcome::Complete),
            "release" => Some(Outcome::Release),
            _ => None,
        }
    }

    /// The batch's outcome of the same name.
    fn batch(self) -> finish_many::Outcome {
        match self {
            Outcome::Complete => finish_many::Outcome::Complete,
            Outcome::Release => finish_many::Outcome::Release,
        }
    }

    /// What was not done, for a refusal's message.
    fn done(self) -> &'static str {
        match self {
            Outcome::Complete => "completed",
            Outcome::Release => "released",
        }
    }

    fn command(self, fan: FanRef) -> Command {
        match (self, fan) {
            (Outcome::Complete, FanRef::Id(fan_id)) => Command::Complete { fan_id },
            (Outcome::Release, FanRef::Id(fan_id)) => Command::Release { fan_id },
            (Outcome::Complete, FanRef::Seq(seq)) => Command::CompleteSeq { seq },
            (Outcome::Release, FanRef::Seq(seq)) => Command::ReleaseSeq { seq },
        }
    }
}

/// How the origin names an assignment in `.../assignments/{fan}/...`: by the fan id, or by the
/// `jti` of the fan's pass (`<sale>.<seq>`), for an origin that only has the pass.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FanRef {
    Id(FanId),
    Seq(Seq),
}

impl FanRef {
    /// A fan id, or the `jti` of a pass of `sale` (a party member's, `<sale>.<seq>.<seat>`,
    /// names the party's assignment); anything else (a `jti` of another sale included) names
    /// no assignment.
    pub fn parse(segment: &str, sale: &SaleId) -> Option<Self> {
        if let Ok(fan_id) = FanId::parse(segment) {
            return Some(FanRef::Id(fan_id));
        }
        let jti = segment.strip_prefix(sale.as_str())?.strip_prefix('.')?;
        let seq = match jti.split_once('.') {
            Some((seq, seat)) if !seat.is_empty() && seat.bytes().all(|b| b.is_ascii_digit()) => {
                seq
            }
            Some(_) => return None,
            None => jti,
        };
        if seq.is_empty() || !seq.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        seq.parse().ok().filter(|s: &Seq| *s > 0).map(FanRef::Seq)
    }
}

/// The body of a pull.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PullRequest {
    window: String,
    max: i64,
    #[serde(default)]
    request_id: Option<String>,
}

fn authorize(req: &Request, ctx: &Ctx) -> Result<(), ApiError> {
    http::require_key(req, &crate::config::api_keys(&ctx.env)?.origin)
}

fn field<T>(field: &'static str, parsed: Result<T, waitroom_core::IdError>) -> Result<T, ApiError> {
    parsed.map_err(|error| ApiError::BadId { field, error })
}

/// `POST /api/origin/sales/{sale}/pull`.
pub async fn pull(mut req: Request, ctx: &Ctx, sale: SaleId) -> Result<Response, ApiError> {
    authorize(&req, ctx)?;
    let body: PullRequest = http::read_json(&mut req).await?;
    let window = field("window", WindowId::parse(&body.window))?;
    let request_id = body
        .request_id
        .as_deref()
        .map(|r| field("request_id", RequestId::parse(r)))
        .transpose()?;
    let max = u32::try_from(body.max).unwrap_or(0);
    if max == 0 && body.max != 0 {
        return Err(ApiError::InvalidField {
            field: "max",
            message: format!("must be between 1 and {MAX_PULL}"),
        });
    }
    match ctx
        .objects
        .ask(
            &Coordinator(&sale),
            &Command::Pull {
                window,
                max,
                request_id,
            },
        )
        .await?
    {
        Reply::Pulled(pulled) => Ok(json(200, &answers::Pulled::from(&pulled))),
        other => Err(unexpected(other)),
    }
}

/// `POST /api/origin/sales/{sale}/assignments/{fan_id}/complete` (or `/release`); `{fan_id}` may
/// also be the `jti` of the fan's pass.
pub async fn finish(
    req: Request,
    ctx: &Ctx,
    sale: SaleId,
    fan: &str,
    outcome: Outcome,
) -> Result<Response, ApiError> {
    authorize(&req, ctx)?;
    let fan = FanRef::parse(fan, &sale).ok_or(ApiError::Queue(
        waitroom_core::QueueError::AssignmentNotFound,
    ))?;
    match ctx
        .objects
        .ask(&Coordinator(&sale), &outcome.command(fan))
        .await?
    {
        Reply::Assignment(assignment) => {
            // This isolate's fans see the end of their turn at once (others within seconds).
            crate::edge_cache::outcomes::forget(&sale, assignment.seq);
            Ok(json(200, &AssignmentAnswer::from(&assignment)))
        }
        other => Err(unexpected(other)),
    }
}

/// The path segment that names a batch where a single route names its fan:
/// `.../assignments/batch/complete`. No fan id (`fan_...`) or `jti` (`<sale>.<seq>`) is `batch`;
/// the edge parses the batch as the single route (its module gains nothing).
pub const BATCH: &str = "batch";

/// The body of a batch: the assignments to finish, each a fan id or a pass's `jti`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FinishManyRequest {
    assignments: Vec<String>,
}

/// One item of a batch's answer: the id as the origin sent it, and the assignment as it is now
/// (as the single route answers it), or the single route's error code and message.
#[derive(Serialize)]
struct FinishedItem<'a> {
    id: &'a str,
    #[serde(flatten)]
    result: ItemResult<'a>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum ItemResult<'a> {
    Finished(AssignmentAnswer<'a>),
    Refused {
        error: &'static str,
        message: String,
    },
}

/// A batch's answer: every item in request order, and how many were finished or refused.
#[derive(Serialize)]
struct FinishedManyAnswer<'a> {
    results: Vec<FinishedItem<'a>>,
    finished: usize,
    refused: usize,
}

/// The batch a body names: 1 to [`MAX_FINISH_MANY`] fan ids or `jti`s of passes of `sale`.
/// Anything else refuses the whole request (nothing is finished): an empty or too long list,
/// and an item that could name no assignment of this sale (a `jti` of another sale, or neither
/// a fan id nor a `jti`), which only an origin's mistake sends.
fn batch_of(
    body: &FinishManyRequest,
    sale: &SaleId,
    outcome: Outcome,
) -> Result<FinishMany, ApiError> {
    let invalid = |message: String| ApiError::InvalidField {
        field: "assignments",
        message,
    };
    if body.assignments.len() > MAX_FINISH_MANY {
        return Err(invalid(
            FinishManyError::TooMany {
                n: body.assignments.len(),
            }
            .to_string(),
        ));
    }
    let items = body
        .assignments
        .iter()
        .enumerate()
        .map(|(i, id)| match FanRef::parse(id, sale) {
            Some(FanRef::Id(fan_id)) => Ok(AssignmentRef::Fan(fan_id)),
            Some(FanRef::Seq(seq)) => Ok(AssignmentRef::Seq(seq)),
            None => Err(invalid(format!(
                "item {i} is neither a fan id nor the jti of a pass of sale {sale}: nothing was {}",
                outcome.done()
            ))),
        })
        .collect::<Result<Vec<_>, _>>()?;
    FinishMany::new(outcome.batch(), items).map_err(|e| invalid(e.to_string()))
}

/// `POST /api/origin/sales/{sale}/assignments/batch/complete` (or `/release`): many assignments
/// finished in one coordinator request (docs/api.md, "Complete in batches"), each as the single
/// route would, each answering on its own.
pub async fn finish_many(
    mut req: Request,
    ctx: &Ctx,
    sale: SaleId,
    outcome: Outcome,
) -> Result<Response, ApiError> {
    authorize(&req, ctx)?;
    let body: FinishManyRequest = http::read_json(&mut req).await?;
    let batch = batch_of(&body, &sale, outcome)?;
    let done: Only<Reply, FinishedMany> = ctx.objects.ask(&Coordinator(&sale), &batch).await?;
    let done = done.into_inner();
    let results: Vec<FinishedItem> = body
        .assignments
        .iter()
        .zip(&done.results)
        .map(|(id, result)| FinishedItem {
            id,
            result: match result {
                Ok(assignment) => {
                    // This isolate's fans see the end of their turn at once.
                    crate::edge_cache::outcomes::forget(&sale, assignment.seq);
                    ItemResult::Finished(AssignmentAnswer::from(assignment))
                }
                Err(refused) => {
                    let error = ApiError::Queue(refused.clone());
                    ItemResult::Refused {
                        error: error.code(),
                        message: error.message(),
                    }
                }
            },
        })
        .collect();
    if results.len() != body.assignments.len() {
        return Err(ApiError::Internal(format!(
            "the coordinator answered {} of {} items",
            results.len(),
            body.assignments.len()
        )));
    }
    let finished = done.results.iter().filter(|r| r.is_ok()).count();
    Ok(json(
        200,
        &FinishedManyAnswer {
            finished,
            refused: results.len() - finished,
            results,
        },
    ))
}

/// `GET /api/origin/sales/{sale}/assignments?window=&state=&limit=`.
pub async fn assignments(req: Request, ctx: &Ctx, sale: SaleId) -> Result<Response, ApiError> {
    authorize(&req, ctx)?;
    let window = http::query(&req, "window")
        .map(|w| field("window", WindowId::parse(&w)))
        .transpose()?;
    let state = http::query(&req, "state")
        .map(|s| {
            AssignmentState::parse(&s).ok_or(ApiError::InvalidField {
                field: "state",
                message: format!("must be one of {}", AssignmentState::names()),
            })
        })
        .transpose()?;
    let limit = match http::query(&req, "limit") {
        None => DEFAULT_LIST_LIMIT,
        Some(l) => l
            .parse()
            .ok()
            .filter(|l| (1..=MAX_LIST_LIMIT).contains(l))
            .ok_or(ApiError::InvalidField {
                field: "limit",
                message: format!("must be between 1 and {MAX_LIST_LIMIT}"),
            })?,
    };
    match ctx
        .objects
        .ask(
            &Coordinator(&sale),
            &Command::Assignments {
                window,
                state,
                limit,
            },
        )
        .await?
    {
        Reply::Assignments { assignments } => Ok(json(200, &AssignmentList::of(&assignments))),
        other => Err(unexpected(other)),
    }
}

/// The JWKS changes only when the pass signing key does; origins may keep it this long.
const JWKS_MAX_AGE_S: u64 = 300;

/// `GET /.well-known/jwks.json`: the keys an origin verifies admission passes with.
pub fn jwks(ctx: &Ctx) -> Result<Response, ApiError> {
    let signer = crate::config::pass_signer(&ctx.env)?;
    let cache = CacheControl::Public {
        max_age_s: JWKS_MAX_AGE_S,
    };
    Ok(json_with(200, &signer.jwks(), cache))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_assignment_is_named_by_fan_id_or_by_the_passs_jti() {
        let sale = SaleId::parse("tour-1").unwrap();
        let fan = "fan_0123456789abcdef0123";
        assert_eq!(
            FanRef::parse(fan, &sale),
            Some(FanRef::Id(FanId::parse(fan).unwrap()))
        );
        assert_eq!(FanRef::parse("tour-1.42", &sale), Some(FanRef::Seq(42)));
        // A party member's pass names the party's assignment.
        assert_eq!(FanRef::parse("tour-1.42.2", &sale), Some(FanRef::Seq(42)));
        for nothing in [
            "tour-1.42.",
            "tour-1.42.x",
            "tour-1.42.2.1",
            "tour-1.0",
            "tour-1.",
            "tour-1.4x",
            "tour-1.+4",
            "tour-1.99999999999999999999999",
            "tour-2.42",
            "tour.42",
            "tour-1",
            "42",
            "fan_0123",
        ] {
            assert_eq!(FanRef::parse(nothing, &sale), None, "{nothing}");
        }
    }
}
