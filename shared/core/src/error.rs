//! The one application error every use case returns. Each wire crate maps it
//! to its network's format in one place (MDES `ErrorsResponse`, Visa `ISE…`,
//! problem+json on our own API). Messages never carry card data.

/// What is wrong with a field the caller sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputProblem {
    Missing,
    Format,
    Length { min: usize, max: usize },
    Value,
}

/// A field the caller sent that we refuse; `field` is the caller's path to it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem:?}")]
pub struct InputError {
    pub field: String,
    pub problem: InputProblem,
}

/// Why encrypted card data could not be used. Wire crates decide how much of
/// this a caller may learn (no oracles).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardDataRejection {
    /// Encrypted for a key we do not hold.
    UnknownKey,
    /// Key unwrap, padding or cipher failure.
    Undecryptable,
    /// Decrypted, but not the network's card-data document.
    NotCardData,
    /// The validity limit inside the card data cannot be read.
    ValidityUnreadable,
    /// Past its validity limit.
    Expired,
    /// A validity limit further ahead than the network allows.
    ValidityTooFarAhead,
    /// Decrypted, but a field inside is missing or invalid.
    InvalidCardData,
    /// Encrypted with an algorithm or parameter we do not accept.
    RefusedAlgorithm,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppError {
    #[error("invalid input: {0}")]
    Invalid(#[from] InputError),
    #[error("card data refused: {0:?}")]
    CardData(CardDataRejection),
    /// A request id already answered for a different request.
    #[error("request id already used for a different request")]
    RequestIdReused,
    /// The message names a token we do not hold.
    #[error("unknown token")]
    UnknownToken,
    /// The token is not waiting for the cardholder to authenticate.
    #[error("token is not awaiting authentication")]
    NotAwaitingAuthentication,
    /// No job of that id.
    #[error("unknown job")]
    UnknownJob,
    /// The token's state (or an action still in flight) does not allow the
    /// issuer's action; the network was not called.
    #[error("action not allowed: {0}")]
    ActionNotAllowed(&'static str),
    /// A limit on what the caller may ask for this token was reached.
    #[error("limit reached: {0}")]
    LimitReached(&'static str),
    /// Our own fault (store, key service or issuer down, contention): nothing
    /// was written, the caller may retry with the same request id.
    #[error("temporarily unable to process: {0}")]
    Unavailable(&'static str),
}

impl AppError {
    pub fn invalid(field: impl Into<String>, problem: InputProblem) -> Self {
        Self::Invalid(InputError {
            field: field.into(),
            problem,
        })
    }
}

/// Logs an infrastructure failure and turns it into [`AppError::Unavailable`].
pub fn unavailable<E: std::fmt::Display>(what: &'static str) -> impl FnOnce(E) -> AppError {
    move |err| {
        tracing::error!(error = %err, "{what}");
        AppError::Unavailable(what)
    }
}

/// A configuration value a use case cannot work with (read by the
/// composition root; fails the cold start).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("setting {name} is invalid: {reason}")]
pub struct SettingError {
    pub name: &'static str,
    pub reason: String,
}
