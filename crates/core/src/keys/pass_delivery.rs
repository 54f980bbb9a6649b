//! How an admission pass reaches the origin's purchase page, per sale (`pass_delivery`; docs/api.md,
//! "Pass delivery"): in the purchase URL's query (the default), POSTed in a form, or after `#`.

use serde::{Deserialize, Serialize};
use std::fmt;
use url::Url;

/// The name of the pass in the query, the fragment and the form.
pub const PASS_FIELD: &str = "pass";

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PassDelivery {
    /// `purchase_url?pass=<jwt>`: the origin's logs, the history and `Referer` may keep it.
    #[default]
    Query,
    /// The browser POSTs `pass=<jwt>` (a form) to the purchase URL: never in a URL.
    FormPost,
    /// `purchase_url#pass=<jwt>`: browsers never send the fragment to a server, nor in `Referer`.
    Fragment,
}

impl PassDelivery {
    pub const ALL: [PassDelivery; 3] = [
        PassDelivery::Query,
        PassDelivery::FormPost,
        PassDelivery::Fragment,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PassDelivery::Query => "query",
            PassDelivery::FormPost => "form_post",
            PassDelivery::Fragment => "fragment",
        }
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|d| d.as_str() == text)
            .ok_or_else(|| "must be query, form_post or fragment".to_owned())
    }

    pub fn is_query(&self) -> bool {
        *self == PassDelivery::Query
    }

    /// Where the fan's browser goes with `pass`: the purchase URL with the pass in the query or
    /// the fragment, or (form post) the purchase URL itself, to POST the pass to.
    pub fn purchase_url(self, purchase_url: &Url, pass: &str) -> Url {
        let mut url = purchase_url.clone();
        match self {
            PassDelivery::Query => {
                url.query_pairs_mut().append_pair(PASS_FIELD, pass);
            }
            PassDelivery::Fragment => {
                let fragment: String = url::form_urlencoded::Serializer::new(String::new())
                    .append_pair(PASS_FIELD, pass)
                    .finish();
                url.set_fragment(Some(&fragment));
            }
            PassDelivery::FormPost => {}
        }
        url
    }
}

impl fmt::Display for PassDelivery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn base() -> Url {
        Url::parse("https://shop.example/buy?event=7").unwrap()
    }

    #[test]
    fn each_delivery_puts_the_pass_in_its_place() {
        let pass = "eyJ.eyJ.sig-_";
        assert_eq!(
            PassDelivery::Query.purchase_url(&base(), pass).as_str(),
            "https://shop.example/buy?event=7&pass=eyJ.eyJ.sig-_"
        );
        let fragment = PassDelivery::Fragment.purchase_url(&base(), pass);
        assert_eq!(
            fragment.as_str(),
            "https://shop.example/buy?event=7#pass=eyJ.eyJ.sig-_"
        );
        assert_eq!(fragment.query(), Some("event=7"));
        assert_eq!(PassDelivery::FormPost.purchase_url(&base(), pass), base());
    }

    #[test]
    fn names_round_trip() {
        for d in PassDelivery::ALL {
            assert_eq!(PassDelivery::parse(d.as_str()), Ok(d));
            assert_eq!(serde_json::to_value(d).unwrap(), d.as_str());
        }
        assert!(PassDelivery::parse("post").is_err());
        assert_eq!(PassDelivery::default(), PassDelivery::Query);
    }

    proptest! {
        /// Only the query delivery puts the pass where servers see it: form post and fragment
        /// never change what is sent to the origin (scheme, host, path, query).
        #[test]
        fn only_query_sends_the_pass_to_the_server(pass in "zz[A-Za-z0-9_.-]{1,60}") {
            for d in PassDelivery::ALL {
                let url = d.purchase_url(&base(), &pass);
                let sent = &url[..url::Position::AfterQuery];
                prop_assert_eq!(sent.contains(&pass), d == PassDelivery::Query);
            }
        }
    }
}
