//! What the waiting page shows of the fan's place before its script runs (and without
//! JavaScript, for good), in the fan's language: the number or the words that take its place,
//! the wait, and why a turn ended.

use super::standing::Standing;
use crate::fan_state::FanState;
use crate::i18n::Lang;
use crate::pages::PlaceShown;
use waitroom_core::AssignmentState;

/// Why a fan's turn ended, in the words the page shows (waiting.js says the same), and what
/// they may do now: join again at the back, or (an invitation-only sale) not.
fn turn_ended_words(lang: Lang, reason: AssignmentState, can_rejoin: bool) -> String {
    let why = match reason {
        AssignmentState::Expired => lang.turn_expired(),
        AssignmentState::Released => lang.turn_released(),
        AssignmentState::Left => lang.turn_left(),
        AssignmentState::Lapsed | AssignmentState::Assigned | AssignmentState::Completed => {
            lang.turn_missed()
        }
    };
    let next = if can_rejoin {
        lang.turn_rejoin()
    } else {
        lang.invitation_once()
    };
    format!("{why} {next}")
}

/// The few words that take the place of the fan's number once their turn ended.
fn turn_ended_title(lang: Lang, reason: AssignmentState) -> &'static str {
    match reason {
        AssignmentState::Expired => lang.turn_expired_title(),
        AssignmentState::Released => lang.turn_released_title(),
        AssignmentState::Left => lang.turn_left_title(),
        AssignmentState::Lapsed | AssignmentState::Assigned | AssignmentState::Completed => {
            lang.turn_missed_title()
        }
    }
}

/// The wait in the page's words without JavaScript (the script says it with `Intl`).
fn wait_shown(lang: Lang, eta_s: Option<u64>) -> String {
    match eta_s {
        None => "–".into(),
        Some(s) if s < 60 => lang.wait_under_minute().into(),
        Some(s) if s < 3600 => lang.wait_minutes(s.div_ceil(60)),
        Some(s) => lang.wait_hours(s / 3600, (s % 3600) / 60),
    }
}

/// What a fan whose place's record could not be read sees: their turn is over as far as
/// anyone can tell, and (in an open sale) they may join again.
pub(super) fn lost_place(lang: Lang, can_rejoin: bool) -> PlaceShown {
    let next = if can_rejoin {
        lang.turn_rejoin()
    } else {
        lang.place_lost_invitation()
    };
    PlaceShown {
        state: FanState::Lapsed,
        position: lang.place_not_found().into(),
        notice: Some(format!("{} {next}", lang.place_lost())),
        rejoin: can_rejoin,
        ..PlaceShown::final_state()
    }
}

/// What the waiting page shows before its script runs (and without JavaScript, for good).
/// `can_rejoin`: the sale offers a fan whose turn lapsed a new place at the back.
pub(super) fn place_shown(lang: Lang, standing: &Standing, can_rejoin: bool) -> PlaceShown {
    let state = standing.state();
    match standing {
        Standing::Waiting {
            position,
            ahead,
            eta_s,
            poll_after_ms,
            ..
        } => PlaceShown {
            state,
            position: position.to_string(),
            ahead: ahead.to_string(),
            eta: wait_shown(lang, *eta_s),
            // Without JavaScript a refresh is a whole page: not more often than every 5 seconds.
            refresh_s: poll_after_ms.div_ceil(1000).max(5),
            notice: None,
            rejoin: false,
            draw_at: None,
        },
        Standing::Lapsed { reason } => PlaceShown {
            state: FanState::Lapsed,
            position: turn_ended_title(lang, *reason).into(),
            notice: Some(turn_ended_words(lang, *reason, can_rejoin)),
            rejoin: can_rejoin,
            ..PlaceShown::final_state()
        },
        Standing::Prequeue {
            draw_at,
            poll_after_ms,
        } => PlaceShown {
            state,
            position: lang.place_in_prequeue().into(),
            ahead: "–".into(),
            eta: "–".into(),
            refresh_s: poll_after_ms.div_ceil(1000).max(5),
            notice: None,
            rejoin: false,
            draw_at: *draw_at,
        },
        Standing::Moved => PlaceShown {
            state,
            position: lang.place_moved().into(),
            notice: Some(lang.place_moved_body().into()),
            ..PlaceShown::final_state()
        },
        Standing::Closed => PlaceShown {
            state,
            position: lang.place_sale_closed().into(),
            notice: Some(lang.closed_heading().into()),
            ..PlaceShown::final_state()
        },
        Standing::YourTurn { .. } => PlaceShown {
            state,
            position: lang.place_your_turn().into(),
            ahead: "0".into(),
            eta: "0".into(),
            refresh_s: 1,
            notice: None,
            rejoin: false,
            draw_at: None,
        },
    }
}
