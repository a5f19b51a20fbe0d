//! The issuer's look-ups: one token with its history and decision, and
//! searches by PAN (through its keyed fingerprint, never stored), card id,
//! device or token reference.

use std::sync::Arc;

use crate::AppError;
use crate::error::{InputProblem, unavailable};
use crate::ports::{
    PageRequest, PanFingerprinter, SearchError, TokenDirectory, TokenFilter, TokenPage, TokenQuery,
    TokenView,
};
use crate::secret::Pan;

/// What the issuer searches by (exactly one).
#[derive(Debug)]
pub enum SearchBy<'a> {
    Pan(&'a Pan),
    CardId(&'a str),
    DeviceId(&'a str),
    TokenReference(&'a str),
}

#[derive(Clone)]
pub struct TokenQueries {
    pub directory: Arc<dyn TokenDirectory>,
    /// Needed only by searches by PAN.
    pub fingerprinter: Option<Arc<dyn PanFingerprinter>>,
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
        let query = match by {
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
        };
        match self.directory.search(&query, filter, page).await {
            Ok(found) => Ok(found),
            Err(SearchError::BadCursor) => Err(AppError::invalid("cursor", InputProblem::Value)),
            Err(SearchError::Store(err)) => Err(unavailable("searching tokens failed")(err)),
        }
    }
}
