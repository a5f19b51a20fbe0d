//! AWS SDK errors reduced to a fixed description: the kind of failure and the
//! service error code, never request or response content.

use std::fmt;

use aws_sdk_kms::error::{ProvideErrorMetadata, SdkError};

/// What went wrong talking to an AWS service, safe to log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsFailure {
    pub kind: &'static str,
    /// The service error code (e.g. `ThrottlingException`), when there is one.
    pub code: Option<String>,
}

impl fmt::Display for AwsFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.code {
            Some(code) => write!(f, "AWS {} ({code})", self.kind),
            None => write!(f, "AWS {}", self.kind),
        }
    }
}

impl std::error::Error for AwsFailure {}

impl AwsFailure {
    pub fn new<E: ProvideErrorMetadata, R>(err: &SdkError<E, R>) -> Self {
        let kind = match err {
            SdkError::ConstructionFailure(_) => "request construction failure",
            SdkError::TimeoutError(_) => "timeout",
            SdkError::DispatchFailure(_) => "dispatch failure",
            SdkError::ResponseError(_) => "unreadable response",
            SdkError::ServiceError(_) => "service error",
            _ => "unknown failure",
        };
        Self {
            kind,
            code: err.code().and_then(safe_code),
        }
    }

    /// True for service errors that say "try again later" rather than "no".
    pub fn is_transient(&self) -> bool {
        self.kind != "service error"
            || self.code.as_deref().is_some_and(|code| {
                code.contains("Throttl")
                    || code.contains("Internal")
                    || code.contains("Unavailable")
                    || code == "DependencyTimeoutException"
                    || code == "ProvisionedThroughputExceededException"
                    || code == "RequestLimitExceeded"
            })
    }
}

/// Error codes are identifiers; anything else is dropped rather than echoed.
fn safe_code(code: &str) -> Option<String> {
    (!code.is_empty()
        && code.len() <= 64
        && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.'))
    .then(|| code.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(code: &str) -> AwsFailure {
        AwsFailure {
            kind: "service error",
            code: safe_code(code),
        }
    }

    #[test]
    fn only_identifier_like_codes_are_kept() {
        assert_eq!(
            safe_code("InvalidCiphertextException").as_deref(),
            Some("InvalidCiphertextException")
        );
        assert_eq!(safe_code("bad code with 5555555555554444 in it"), None);
        assert_eq!(safe_code(""), None);
        assert_eq!(safe_code(&"A".repeat(65)), None);
    }

    #[test]
    fn throttling_and_transport_failures_are_transient_refusals_are_not() {
        assert!(service("ThrottlingException").is_transient());
        assert!(service("KMSInternalException").is_transient());
        assert!(!service("InvalidCiphertextException").is_transient());
        assert!(!service("NotFoundException").is_transient());
        let timeout = AwsFailure {
            kind: "timeout",
            code: None,
        };
        assert!(timeout.is_transient());
        assert_eq!(timeout.to_string(), "AWS timeout");
        assert_eq!(
            service("AccessDeniedException").to_string(),
            "AWS service error (AccessDeniedException)"
        );
    }
}
