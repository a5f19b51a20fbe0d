//! RFC 9457 problem details: the one error body of the TMP API, and the one
//! place core errors become problems.
//!
//! `type` is `PROBLEM_TYPE_BASE` + the kind's slug; `title` is fixed per
//! kind; `detail` is a fixed text that names at most a field of our
//! contract, never a value the caller sent (so never card data).

use std::fmt;

use serde::Serialize;
use tmp_core::AppError;
use tmp_core::error::{InputError, InputProblem};

/// The base of every problem `type` URI (documented in the contract).
pub const PROBLEM_TYPE_BASE: &str = "https://tmp.example/problems/";
/// The media type of every problem body.
pub const PROBLEM_JSON: &str = "application/problem+json";
/// Longest field path a detail names; longer paths are cut.
const MAX_FIELD_LEN: usize = 96;

/// Every kind of problem we answer with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProblemKind {
    /// 400: not JSON, a wrong JSON type, a missing or invalid header.
    MalformedRequest,
    /// 401: no bearer token, or one we do not accept (one body for all).
    Unauthorized,
    /// 403: a valid token without the operation's scope.
    Forbidden,
    /// 404: no such token, job, or an identifier that cannot exist.
    NotFound,
    /// 409: the resource's state does not allow the request now.
    Conflict,
    /// 422: well-formed JSON with a value the contract does not allow.
    InvalidRequest,
    /// 422: an Idempotency-Key already used for a different request.
    IdempotencyKeyReused,
    /// 429: too many requests (gateway throttle or a per-resource limit).
    TooManyRequests,
    /// 503: our own transient fault; nothing was written, retry.
    ServiceUnavailable,
}

impl ProblemKind {
    /// Every kind, in the order of the contract.
    pub const ALL: [Self; 9] = [
        Self::MalformedRequest,
        Self::Unauthorized,
        Self::Forbidden,
        Self::NotFound,
        Self::Conflict,
        Self::InvalidRequest,
        Self::IdempotencyKeyReused,
        Self::TooManyRequests,
        Self::ServiceUnavailable,
    ];

    /// The last segment of the `type` URI.
    pub fn slug(self) -> &'static str {
        match self {
            Self::MalformedRequest => "malformed-request",
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not-found",
            Self::Conflict => "conflict",
            Self::InvalidRequest => "invalid-request",
            Self::IdempotencyKeyReused => "idempotency-key-reused",
            Self::TooManyRequests => "too-many-requests",
            Self::ServiceUnavailable => "service-unavailable",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Self::MalformedRequest => "Malformed request",
            Self::Unauthorized => "Unauthorized",
            Self::Forbidden => "Forbidden",
            Self::NotFound => "Not found",
            Self::Conflict => "Conflict",
            Self::InvalidRequest => "Invalid request",
            Self::IdempotencyKeyReused => "Idempotency-Key reused",
            Self::TooManyRequests => "Too many requests",
            Self::ServiceUnavailable => "Service unavailable",
        }
    }

    pub fn status(self) -> u16 {
        match self {
            Self::MalformedRequest => 400,
            Self::Unauthorized => 401,
            Self::Forbidden => 403,
            Self::NotFound => 404,
            Self::Conflict => 409,
            Self::InvalidRequest | Self::IdempotencyKeyReused => 422,
            Self::TooManyRequests => 429,
            Self::ServiceUnavailable => 503,
        }
    }

    pub fn type_uri(self) -> String {
        format!("{PROBLEM_TYPE_BASE}{}", self.slug())
    }
}

const UNAUTHORIZED_DETAIL: &str = "A valid bearer access token is required";
const FORBIDDEN_DETAIL: &str = "The access token lacks the scope this operation requires";
const NOT_FOUND_DETAIL: &str = "The resource does not exist";
const UNAVAILABLE_DETAIL: &str =
    "The request could not be processed now; retry it with the same Idempotency-Key";

/// One problem: what travels as `application/problem+json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{status} {title}: {detail}")]
pub struct Problem {
    #[serde(rename = "type")]
    pub type_uri: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(skip)]
    pub kind: ProblemKind,
}

/// Only the characters our field paths are made of, so a detail can never
/// carry what the caller sent.
fn field_name(field: &str) -> String {
    let clean: String = field
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '[' | ']' | '_' | '-'))
        .take(MAX_FIELD_LEN)
        .collect();
    if clean.is_empty() {
        "body".to_owned()
    } else {
        clean
    }
}

impl Problem {
    pub fn new(kind: ProblemKind, detail: impl Into<String>) -> Self {
        Self {
            type_uri: kind.type_uri(),
            title: kind.title().to_owned(),
            status: kind.status(),
            detail: detail.into(),
            kind,
        }
    }

    /// 400: the body is not JSON (or not the object the operation reads).
    pub fn malformed_json() -> Self {
        Self::new(
            ProblemKind::MalformedRequest,
            "The request body is not a valid JSON object",
        )
    }

    /// 400: `field` has the wrong JSON type.
    pub fn wrong_type(field: &str) -> Self {
        Self::new(
            ProblemKind::MalformedRequest,
            format!("{} has the wrong JSON type", field_name(field)),
        )
    }

    /// 400: a required header is absent or malformed (`name` is ours).
    pub fn bad_header(name: &str) -> Self {
        Self::new(
            ProblemKind::MalformedRequest,
            format!("The {} header is missing or invalid", field_name(name)),
        )
    }

    /// 422: a required field is absent.
    pub fn missing(field: &str) -> Self {
        Self::new(
            ProblemKind::InvalidRequest,
            format!("{} is required", field_name(field)),
        )
    }

    /// 422: a string too short or too long, a number out of range.
    pub fn length(field: &str) -> Self {
        Self::new(
            ProblemKind::InvalidRequest,
            format!("{} has an invalid length", field_name(field)),
        )
    }

    /// 422: outside an enum, a pattern or a rule of the contract.
    pub fn invalid(field: &str) -> Self {
        Self::new(
            ProblemKind::InvalidRequest,
            format!("{} is not valid", field_name(field)),
        )
    }

    /// 422: `field` is not allowed here (with the other fields sent).
    pub fn not_allowed(field: &str) -> Self {
        Self::new(
            ProblemKind::InvalidRequest,
            format!("{} is not allowed in this request", field_name(field)),
        )
    }

    /// 422: a member the contract does not define (not named: the name is
    /// the caller's text).
    pub fn unknown_field() -> Self {
        Self::new(
            ProblemKind::InvalidRequest,
            "The request body has a member the contract does not define",
        )
    }

    /// 422: a search naming zero or several selectors.
    pub fn one_selector() -> Self {
        Self::new(
            ProblemKind::InvalidRequest,
            "Exactly one of pan, cardId, tokenReference and deviceId is required",
        )
    }

    /// 401: the same body for every reason a token is refused.
    /// 409: the card network refused the action; nothing changed.
    pub fn network_refused() -> Self {
        Self::new(
            ProblemKind::Conflict,
            "The card network refused the action; the token is unchanged",
        )
    }

    pub fn unauthorized() -> Self {
        Self::new(ProblemKind::Unauthorized, UNAUTHORIZED_DETAIL)
    }

    /// 403: a valid token without the operation's scope.
    pub fn forbidden() -> Self {
        Self::new(ProblemKind::Forbidden, FORBIDDEN_DETAIL)
    }

    pub fn not_found() -> Self {
        Self::new(ProblemKind::NotFound, NOT_FOUND_DETAIL)
    }

    pub fn unavailable() -> Self {
        Self::new(ProblemKind::ServiceUnavailable, UNAVAILABLE_DETAIL)
    }
}

impl fmt::Display for ProblemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.slug())
    }
}

/// The one place core errors become problems. Every variant is matched, so a
/// new core error cannot reach the issuer unmapped; the internal reasons
/// (`LimitReached`, `Unavailable`) are logged where they arise, never sent.
impl From<AppError> for Problem {
    fn from(error: AppError) -> Self {
        match error {
            AppError::Invalid(InputError { field, problem }) => match problem {
                InputProblem::Missing => Self::missing(&field),
                InputProblem::Length { .. } => Self::length(&field),
                InputProblem::Format | InputProblem::Value => Self::invalid(&field),
            },
            // Our API carries no encrypted card data; should a use case
            // refuse one, the issuer learns only that it was refused.
            AppError::CardData(_) => Self::new(
                ProblemKind::InvalidRequest,
                "The card data could not be used",
            ),
            AppError::RequestIdReused => Self::new(
                ProblemKind::IdempotencyKeyReused,
                "The Idempotency-Key was already used for a different request",
            ),
            AppError::UnknownToken | AppError::UnknownJob => Self::not_found(),
            AppError::NotAwaitingAuthentication | AppError::ActionNotAllowed(_) => Self::new(
                ProblemKind::Conflict,
                "The token's state does not allow this action",
            ),
            AppError::LimitReached(_) => Self::new(
                ProblemKind::TooManyRequests,
                "A limit on requests for this resource was reached",
            ),
            AppError::Unavailable(_) => Self::unavailable(),
        }
    }
}

#[cfg(test)]
mod tests {
    use tmp_core::error::CardDataRejection;

    use super::*;

    #[test]
    fn every_core_error_has_its_kind_and_status() {
        // GIVEN one core error of each variant
        let cases = [
            (
                AppError::invalid("reasonCode", InputProblem::Missing),
                ProblemKind::InvalidRequest,
                "reasonCode is required",
            ),
            (
                AppError::invalid("comment", InputProblem::Length { min: 1, max: 256 }),
                ProblemKind::InvalidRequest,
                "comment has an invalid length",
            ),
            (
                AppError::invalid("newExpiry", InputProblem::Format),
                ProblemKind::InvalidRequest,
                "newExpiry is not valid",
            ),
            (
                AppError::invalid("x", InputProblem::Value),
                ProblemKind::InvalidRequest,
                "x is not valid",
            ),
            (
                AppError::CardData(CardDataRejection::Expired),
                ProblemKind::InvalidRequest,
                "The card data could not be used",
            ),
            (
                AppError::RequestIdReused,
                ProblemKind::IdempotencyKeyReused,
                "The Idempotency-Key was already used for a different request",
            ),
            (
                AppError::UnknownToken,
                ProblemKind::NotFound,
                NOT_FOUND_DETAIL,
            ),
            (
                AppError::NotAwaitingAuthentication,
                ProblemKind::Conflict,
                "The token's state does not allow this action",
            ),
            (
                AppError::LimitReached("codes per token"),
                ProblemKind::TooManyRequests,
                "A limit on requests for this resource was reached",
            ),
            (
                AppError::Unavailable("store down"),
                ProblemKind::ServiceUnavailable,
                UNAVAILABLE_DETAIL,
            ),
        ];
        for (error, kind, detail) in cases {
            // WHEN it is mapped
            let problem = Problem::from(error.clone());
            // THEN kind, status, title, type and detail are the contract's
            assert_eq!(problem.kind, kind, "{error:?}");
            assert_eq!(problem.status, kind.status());
            assert_eq!(problem.title, kind.title());
            assert_eq!(
                problem.type_uri,
                format!("https://tmp.example/problems/{}", kind.slug())
            );
            assert_eq!(problem.detail, detail);
            // AND internal reasons never travel
            assert!(!problem.detail.contains("store down"));
            assert!(!problem.detail.contains("codes per token"));
        }
    }

    #[test]
    fn details_keep_only_field_name_characters() {
        // GIVEN a field path carrying markup and a PAN-like value
        let problem = Problem::invalid("comment\"<b>5555 5555 5555 4444</b>");
        // THEN only the name's characters survive, spaces and markup gone
        assert_eq!(problem.detail, "commentb5555555555554444b is not valid");
        assert!(!problem.detail.contains('<'));
        assert_eq!(Problem::missing("").detail, "body is required");
    }

    #[test]
    fn the_body_has_exactly_the_four_members() {
        // WHEN a problem is serialised
        let body = serde_json::to_value(Problem::forbidden()).unwrap();
        // THEN it carries type, title, status and detail only
        assert_eq!(
            body,
            serde_json::json!({
                "type": "https://tmp.example/problems/forbidden",
                "title": "Forbidden",
                "status": 403,
                "detail": FORBIDDEN_DETAIL,
            })
        );
    }
}
