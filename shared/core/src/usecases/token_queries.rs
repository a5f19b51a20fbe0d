//! The issuer's look-ups: one token with its history and decision, and
//! searches by PAN (through its keyed fingerprint, never stored), card id,
//! device or token reference.

use std::sync::Arc;

use crate::AppError;
use crate::error::{InputProblem, unavailable};
use crate::ports::{
    KeyedMac, PageRequest, PanFingerprinter, SearchError, TokenDirectory, TokenFilter, TokenPage,
    TokenQuery, TokenView,
};
use crate::secret::{Pan, Secret};

/// What the issuer searches by (exactly one).
#[derive(Debug)]
pub enum SearchBy<'a> {
    Pan(&'a Pan),
    CardId(&'a str),
    DeviceId(&'a str),
    TokenReference(&'a str),
    /// The card's last four and expiry (`MM/YY`).
    CardLast4 {
        last4: &'a str,
        expiry: &'a str,
    },
    /// The cardholder's phone number, E.164 (see `domain::phone`).
    Phone(&'a Secret<String>),
    /// Created from `from` to `to`, UTC days.
    Created {
        from: time::Date,
        to: time::Date,
    },
}

#[derive(Clone)]
pub struct TokenQueries {
    pub directory: Arc<dyn TokenDirectory>,
    /// Needed only by searches by PAN.
    pub fingerprinter: Option<Arc<dyn PanFingerprinter>>,
    /// Needed only by searches by phone number.
    pub contact_mac: Option<Arc<dyn KeyedMac>>,
}

impl TokenQueries {
    pub async fn token(&self, token_ref: &str) -> Result<TokenView, AppError> {
        self.directory
            .token_view(token_ref)
            .await
            .map_err(unavailable("reading token failed"))?
            .ok_or(AppError::UnknownToken)
    }

    pub async fn search(
        &self,
        by: SearchBy<'_>,
        filter: &TokenFilter,
        page: &PageRequest,
    ) -> Result<TokenPage, AppError> {
        let query =
            match by {
                SearchBy::Pan(pan) => {
                    let fingerprinter = self
                        .fingerprinter
                        .as_ref()
                        .ok_or(AppError::Unavailable("PAN search is not configured"))?;
                    TokenQuery::Card {
                        pan_fingerprint: fingerprinter
                            .fingerprint(pan)
                            .await
                            .map_err(unavailable("fingerprinting the PAN failed"))?,
                    }
                }
                SearchBy::CardId(card_id) => TokenQuery::IssuerCard {
                    card_id: card_id.to_owned(),
                },
                SearchBy::DeviceId(device_id) => TokenQuery::Device {
                    device_id: device_id.to_owned(),
                },
                SearchBy::TokenReference(token_ref) => TokenQuery::Reference {
                    token_ref: token_ref.to_owned(),
                },
                SearchBy::CardLast4 { last4, expiry } => TokenQuery::CardLast4 {
                    last4: last4.to_owned(),
                    expiry: expiry.to_owned(),
                },
                SearchBy::Phone(phone) => {
                    let mac = self
                        .contact_mac
                        .as_ref()
                        .ok_or(AppError::Unavailable("phone search is not configured"))?;
                    TokenQuery::Phone {
                        phone_fingerprint: mac
                            .mac(&crate::domain::phone::index_message(phone))
                            .await
                            .map_err(unavailable("fingerprinting the phone number failed"))?,
                    }
                }
                SearchBy::Created { from, to } => TokenQuery::Created { from, to },
            };
        match self.directory.search(&query, filter, page).await {
            Ok(found) => Ok(found),
            Err(SearchError::BadCursor) => Err(AppError::invalid("cursor", InputProblem::Value)),
            Err(SearchError::Store(err)) => Err(unavailable("searching tokens failed")(err)),
        }
    }
}
