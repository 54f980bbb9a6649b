//! What one request pays for a new place: the sale's proof of work ([`crate::fairness::pow`]), and, for an
//! address over its rate-limit budget ([`crate::fairness::rate_limit`]), a price that grows.
//!
//! Many honest fans share one address (a mobile carrier's NAT, a campus, an office): a hard
//! refusal past the budget would turn hundreds of them away at the opening second and cost them
//! their arrival order. So by default ([`OverBudget::Price`]) an address over its budget is not
//! refused: each new place it takes costs more proof of work, [`OVER_BUDGET_MIN_BITS`] (or the
//! sale's own difficulty, if higher) and one bit more each time its excess doubles. Five hundred
//! fans behind one address then pay at most 2^18 hashes each (a fraction of a second in a
//! browser); a script taking its `n`th place beyond the budget pays about `2^10 * n` hashes for
//! it, so its cost per place grows linearly and its total with the square of what it takes. A
//! sale may keep the hard limit ([`OverBudget::Refuse`]: 429).
//!
//! A challenge asks for the price at the moment it is handed out; a solution is accepted with
//! [`SLACK_BITS`] fewer, so a fan whose address's excess doubled while they solved (a crowd
//! behind one address, all solving at once) is not sent round again, while a script that stocks
//! up cheap challenges can spend them only until its own excess doubles.

use crate::fairness::pow::{PowBits, MAX_POW_BITS};
use crate::fairness::rate_limit::{Limited, Standing};
use serde::{Deserialize, Serialize};

/// The fewest bits an address over its budget pays for a place (2^10 hashes: milliseconds).
pub const OVER_BUDGET_MIN_BITS: u8 = 10;
/// How many bits fewer than asked a solution may have (see the module docs).
pub const SLACK_BITS: u8 = 1;

/// What happens to an address over its rate-limit budget (per sale, `over_budget`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OverBudget {
    /// It pays more proof of work for each new place (the default).
    #[default]
    Price,
    /// It is refused (429 `rate_limited`) until its budget refills.
    Refuse,
}

impl OverBudget {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "price" => Some(Self::Price),
            "refuse" => Some(Self::Refuse),
            _ => None,
        }
    }

    pub fn is_price(&self) -> bool {
        *self == Self::Price
    }
}

/// The proof of work a request for a new place must bring.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Price {
    /// What challenges ask for (and refusals show).
    pub asked: PowBits,
    /// The fewest leading zero bits a solution's hash may have.
    pub accepted: PowBits,
}

impl Price {
    /// No surcharge: the sale's own difficulty, exactly.
    pub fn of_sale(bits: PowBits) -> Self {
        Self {
            asked: bits,
            accepted: bits,
        }
    }

    /// Whether this request must bring a solution at all.
    pub fn is_free(&self) -> bool {
        self.asked.is_off()
    }
}

/// The price of a new place for an address standing as `standing`, in a sale asking `sale_bits`
/// that treats addresses over budget as `over`; `Err` is the refusal of [`OverBudget::Refuse`].
pub fn price(sale_bits: PowBits, standing: Standing, over: OverBudget) -> Result<Price, Limited> {
    let Standing::Over {
        excess,
        retry_after_ms,
    } = standing
    else {
        return Ok(Price::of_sale(sale_bits));
    };
    if over == OverBudget::Refuse {
        return Err(Limited { retry_after_ms });
    }
    let doublings = excess.max(1).ilog2() as u8;
    let asked = sale_bits
        .get()
        .max(OVER_BUDGET_MIN_BITS)
        .saturating_add(doublings)
        .min(MAX_POW_BITS);
    let accepted = asked.saturating_sub(SLACK_BITS).max(sale_bits.get());
    let bits = |b: u8| PowBits::new(b.into()).unwrap_or(PowBits::OFF);
    Ok(Price {
        asked: bits(asked),
        accepted: bits(accepted),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn bits(b: u8) -> PowBits {
        PowBits::new(b.into()).unwrap()
    }

    fn over(excess: u64) -> Standing {
        Standing::Over {
            excess,
            retry_after_ms: 2_000,
        }
    }

    #[test]
    fn within_the_budget_a_place_costs_the_sales_own_price() {
        for b in [0, 8, 26] {
            assert_eq!(
                price(bits(b), Standing::Within, OverBudget::Price),
                Ok(Price::of_sale(bits(b)))
            );
        }
        assert!(Price::of_sale(PowBits::OFF).is_free());
    }

    #[test]
    fn over_the_budget_one_more_bit_each_time_the_excess_doubles() {
        let asked = |excess| price(PowBits::OFF, over(excess), OverBudget::Price).unwrap();
        assert_eq!(asked(1).asked, bits(10));
        assert_eq!(asked(1).accepted, bits(9));
        assert_eq!(asked(2).asked, bits(11));
        assert_eq!(asked(3).asked, bits(11));
        assert_eq!(asked(4).asked, bits(12));
        assert_eq!(
            asked(470).asked,
            bits(18),
            "a carrier's crowd of 500, budget 30"
        );
        assert_eq!(asked(u64::MAX).asked, bits(MAX_POW_BITS), "capped");
        // A sale that asks more already starts from its own difficulty.
        let hard = price(bits(16), over(1), OverBudget::Price).unwrap();
        assert_eq!((hard.asked, hard.accepted), (bits(16), bits(16)));
        assert_eq!(
            price(bits(16), over(8), OverBudget::Price).unwrap().asked,
            bits(19)
        );
    }

    #[test]
    fn a_sale_that_refuses_keeps_the_hard_limit() {
        assert_eq!(
            price(bits(8), over(1), OverBudget::Refuse),
            Err(Limited {
                retry_after_ms: 2_000
            })
        );
        assert_eq!(
            price(bits(8), Standing::Within, OverBudget::Refuse),
            Ok(Price::of_sale(bits(8)))
        );
        assert_eq!(OverBudget::parse("refuse"), Some(OverBudget::Refuse));
        assert_eq!(OverBudget::parse("price"), Some(OverBudget::Price));
        assert_eq!(OverBudget::parse("429"), None);
    }

    proptest! {
        /// The price never falls as the excess grows, never asks less than the sale, never
        /// accepts less than the sale, and a script's cost per place grows at least linearly.
        #[test]
        fn the_price_grows_with_the_excess_and_never_undercuts_the_sale(
            sale in 0u8..=MAX_POW_BITS,
            excess in 1u64..1_000_000,
        ) {
            let now = price(bits(sale), over(excess), OverBudget::Price).unwrap();
            let later = price(bits(sale), over(excess + 1), OverBudget::Price).unwrap();
            prop_assert!(later.asked >= now.asked);
            prop_assert!(now.asked >= bits(sale) && now.accepted >= bits(sale));
            prop_assert!(now.accepted <= now.asked);
            if now.asked < bits(MAX_POW_BITS) {
                // 2^asked >= 2^10 * excess / 2: at least linear in what it took.
                prop_assert!(now.asked.expected_hashes() >= 512 * excess);
            }
        }
    }
}
