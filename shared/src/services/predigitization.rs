//! The seam between the six MDES Pre-Digitization functions (other than
//! authorizeService) and the issuer's token state: each handler validates the
//! wire request, then makes exactly one of these calls.

use crate::mdes::MdesError;
use crate::mdes::activation_method::ActivationMethod;
use crate::mdes::deliver_activation_code::DeliverActivationCodeRequest;
use crate::mdes::notify_service_activated::NotifyServiceActivatedRequest;
use crate::mdes::notify_suspicious_events::NotifySuspiciousEventsRequest;
use crate::mdes::notify_token_updated::NotifyTokenUpdatedRequest;
use crate::mdes::request_activation_methods::RequestActivationMethodsRequest;
use crate::mdes::validate_activation_code::{ValidateActivationCodeRequest, ValidationResult};

/// Requests arrive validated. An `Err` becomes the spec's `ErrorsResponse`
/// with the code's HTTP status (`INTERNAL_SERVICE_FAILURE` = 503, retryable).
#[async_trait::async_trait]
pub trait PreDigitization: Send + Sync {
    /// The methods to offer; empty when none (or the card check failed).
    async fn request_activation_methods(
        &self,
        request: &RequestActivationMethodsRequest,
    ) -> Result<Vec<ActivationMethod>, MdesError>;

    async fn deliver_activation_code(
        &self,
        request: &DeliverActivationCodeRequest,
    ) -> Result<(), MdesError>;

    async fn validate_activation_code(
        &self,
        request: &ValidateActivationCodeRequest,
    ) -> Result<ValidationResult, MdesError>;

    async fn notify_service_activated(
        &self,
        request: &NotifyServiceActivatedRequest,
    ) -> Result<(), MdesError>;

    async fn notify_token_updated(
        &self,
        request: &NotifyTokenUpdatedRequest,
    ) -> Result<(), MdesError>;

    async fn notify_suspicious_events(
        &self,
        request: &NotifySuspiciousEventsRequest,
    ) -> Result<(), MdesError>;
}
