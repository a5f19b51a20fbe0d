//! The issuer's Card Verification API as a book of known cards.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use tmp_core::domain::card::{CardVerification, CardVerificationRequest, VerifiedCard};
use tmp_core::ports::{CardVerifier, IssuerError};

/// Which [`IssuerError`] a failing [`CardBook`] answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IssuerFault {
    Timeout,
    Unavailable,
    Unauthorized,
    BadResponse,
}

impl IssuerFault {
    fn error(self) -> IssuerError {
        match self {
            Self::Timeout => IssuerError::Timeout,
            Self::Unavailable => IssuerError::Unavailable("card book is switched off".into()),
            Self::Unauthorized => IssuerError::Unauthorized,
            Self::BadResponse => IssuerError::BadResponse("card book answers nonsense".to_owned()),
        }
    }
}

/// Cards the issuer knows, by PAN; any other PAN is unknown. It keeps no
/// request data (PANs are only map keys) and never prints a PAN.
#[derive(Default)]
pub struct CardBook {
    cards: Mutex<HashMap<String, VerifiedCard>>,
    fault: Mutex<Option<IssuerFault>>,
    calls: AtomicUsize,
}

#[allow(clippy::unwrap_in_result)] // a poisoned lock in a test fake should panic
impl fmt::Debug for CardBook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CardBook")
            .field("cards", &self.cards.lock().unwrap().len())
            .field("fault", &*self.fault.lock().unwrap())
            .field("calls", &self.calls())
            .finish()
    }
}

impl CardBook {
    /// Builder: the issuer knows `pan` as `card`.
    pub fn with_card(self, pan: &str, card: VerifiedCard) -> Self {
        self.set_card(pan, card);
        self
    }

    /// Adds or replaces a card while a test runs (a card gets blocked …).
    pub fn set_card(&self, pan: &str, card: VerifiedCard) {
        self.cards.lock().unwrap().insert(pan.to_owned(), card);
    }

    /// Makes every following call fail with `fault` (`None`: answer again).
    pub fn fail_with(&self, fault: Option<IssuerFault>) {
        *self.fault.lock().unwrap() = fault;
    }

    /// How many verifications were asked for (failed ones included).
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl CardVerifier for CardBook {
    async fn verify(
        &self,
        request: &CardVerificationRequest,
    ) -> Result<CardVerification, IssuerError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if let Some(fault) = *self.fault.lock().unwrap() {
            return Err(fault.error());
        }
        Ok(self
            .cards
            .lock()
            .unwrap()
            .get(request.pan.expose())
            .cloned()
            .map_or(CardVerification::Unknown, CardVerification::Known))
    }
}
