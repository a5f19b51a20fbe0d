//! Which activation methods to offer for a token awaiting authentication: the
//! masked phone and e-mail on file, then the call centre. The card entered
//! must be the card the token was authorized for; otherwise nothing.

use std::sync::Arc;

use subtle::ConstantTimeEq;

use crate::AppError;
use crate::clock::Clock;
use crate::domain::card::SealedCardData;
use crate::domain::verification::ActivationMethod;
use crate::error::unavailable;
use crate::ports::{KeyVault, PanFingerprinter, TokenLifecycleStore, TokenRecord};
use crate::usecases::activation_methods::{IssuerContact, activation_methods};
use crate::usecases::authorize::{contact_context, open_contact};

pub struct RequestActivationMethodsCommand {
    pub token_ref: Option<String>,
    pub card_data: Box<dyn SealedCardData>,
}

pub struct RequestActivationMethods {
    pub tokens: Arc<dyn TokenLifecycleStore>,
    pub vault: Arc<dyn KeyVault>,
    pub fingerprinter: Arc<dyn PanFingerprinter>,
    pub contact: IssuerContact,
    pub clock: Arc<dyn Clock>,
}

impl RequestActivationMethods {
    /// The methods to offer; empty when none (or the card check failed).
    pub async fn methods(
        &self,
        command: &RequestActivationMethodsCommand,
    ) -> Result<Vec<ActivationMethod>, AppError> {
        // Unusable card data is refused like undecryptable data: an empty
        // answer here would tell the caller its ciphertext decrypted.
        let entered = command
            .card_data
            .open(self.clock.now())?
            .card
            .map_err(AppError::CardData)?;
        let Some(token_ref) = command.token_ref.as_deref() else {
            return Ok(Vec::new());
        };
        // One read: the token and its sealed contact details.
        let Some((token, sealed_contact)) = self
            .tokens
            .token_with_contact(token_ref)
            .await
            .map_err(unavailable("reading token failed"))?
        else {
            return Ok(Vec::new());
        };
        let fingerprint = self
            .fingerprinter
            .fingerprint(&entered.pan)
            .await
            .map_err(unavailable("PAN fingerprint failed"))?;
        let same_card = token
            .pan_fingerprint
            .as_deref()
            .is_some_and(|f| f.as_bytes().ct_eq(fingerprint.as_bytes()).into());
        if !same_card || !token.state.status.is_live() {
            return Ok(Vec::new());
        }
        let contact = contact_of(self.vault.as_ref(), &token, sealed_contact.as_deref()).await?;
        Ok(activation_methods(&contact, &self.contact))
    }
}

/// The activation methods of a token named by its reference alone (Visa
/// getCardholderVerificationMethods, over the network's authenticated
/// channel): no card to compare, so no PAN-fingerprint secret either.
pub struct TokenActivationMethods {
    pub tokens: Arc<dyn TokenLifecycleStore>,
    pub vault: Arc<dyn KeyVault>,
    pub contact: IssuerContact,
}

impl TokenActivationMethods {
    /// A token of another network, or none, is unknown; one not
    /// waiting for the cardholder to authenticate has nothing to offer.
    pub async fn methods_for_token(
        &self,
        network: crate::domain::Network,
        token_ref: &str,
    ) -> Result<Vec<ActivationMethod>, AppError> {
        let Some((token, sealed_contact)) = self
            .tokens
            .token_with_contact(token_ref)
            .await
            .map_err(unavailable("reading token failed"))?
        else {
            return Err(AppError::UnknownToken);
        };
        if token.network != network {
            return Err(AppError::UnknownToken);
        }
        if token.state.status != crate::domain::token::TokenStatus::Inactive
            || token.authorization_decision
                != Some(crate::domain::decision::Decision::RequireAdditionalAuthentication)
        {
            return Err(AppError::NotAwaitingAuthentication);
        }
        let contact = contact_of(self.vault.as_ref(), &token, sealed_contact.as_deref()).await?;
        Ok(activation_methods(&contact, &self.contact))
    }
}

async fn contact_of(
    vault: &dyn KeyVault,
    token: &TokenRecord,
    sealed: Option<&[u8]>,
) -> Result<crate::domain::delivery::ContactDetails, AppError> {
    let Some(ciphertext) = sealed else {
        return Ok(Default::default());
    };
    let plaintext = vault
        .decrypt(ciphertext, &contact_context(&token.token_ref))
        .await
        .map_err(unavailable("opening contact details failed"))?;
    open_contact(&plaintext).map_err(unavailable("contact details unreadable"))
}
