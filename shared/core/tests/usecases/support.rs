//! What the use-case tests share beyond the testkit's in-memory composition
//! root: its [`World`] with these tests' settings and seeds, test card data
//! that counts how often it was opened, and port wrappers that simulate what
//! the in-memory state cannot (races, contention, a failure in the middle of
//! a message).

use std::collections::BTreeSet;
use std::ops::Deref;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use time::OffsetDateTime;
use tmp_core::AppError;
use tmp_core::domain::Network;
use tmp_core::domain::activation_code::{CodePolicy, CodeSource, IssuedCode};
use tmp_core::domain::card::{
    CardData, CardStatus, CvcResult, EnteredCard, Expiry, SealedCardData, VerifiedCard,
};
use tmp_core::domain::decision::{Decision, WalletAdvice};
use tmp_core::domain::delivery::ContactDetails;
use tmp_core::domain::token::{LifecycleState, Suspender, TokenStatus};
use tmp_core::error::CardDataRejection;
use tmp_core::ports::{
    AuthorizationSnapshot, AuthorizationStore, AuthorizationWrite, LifecycleCommit, RequestKey,
    SaveError, StoreError, StoredCode, TokenLifecycleStore, TokenRecord,
};
use tmp_core::secret::{Pan, Secret};
use tmp_core::usecases::authorize::{AuthorizeCommand, AuthorizeTokenization, contact_context};
use tmp_core::usecases::ledger::{Message, signature};
use tmp_core::usecases::lifecycle::{TokenLifecycle, Transition};
use tmp_core::usecases::otp_delivery::activation_code_context;
use tmp_testkit::memory::{DEFAULT_NOW, FakeVault, MemoryTokenState};

/// A Luhn-valid Mastercard test PAN, the card the issuer knows.
pub const PAN: &str = "5555555555554444";
/// Another Luhn-valid test PAN.
pub const OTHER_PAN: &str = "5105105105105100";
pub const TOKEN_REQUESTOR: &str = "50110030273";
pub const CALL_CENTRE: &str = "+44 20 7946 0000";
pub const PHONE: &str = "+44 7700 900123";
pub const EMAIL: &str = "jane.doe@example.com";
pub const TOKEN: &str = "DWSPMC000000000000000000000000000000000000000001";

pub use tmp_testkit::world::{pan, request_key as key};

// ---------------------------------------------------------------- card data

#[derive(Clone)]
enum Contents {
    Card {
        card: Result<EnteredCard, CardDataRejection>,
        account_number: Option<Pan>,
        token_number: Option<String>,
    },
    Rejected(CardDataRejection),
}

/// Sealed card data for tests: opens to a fixed [`CardData`] (or a chosen
/// rejection) and counts how often it was opened, through every copy.
#[derive(Clone)]
pub struct TestCardData {
    contents: Contents,
    opened: Arc<AtomicUsize>,
}

impl TestCardData {
    /// The card entered in the wallet: `pan` with expiry and CVC2.
    pub fn entered(raw_pan: &str) -> Self {
        Self {
            contents: Contents::Card {
                card: Ok(EnteredCard {
                    pan: pan(raw_pan),
                    expiry: Some(Expiry {
                        month: 12,
                        year: 29,
                    }),
                    cvc: Some(Secret::new("123".to_owned())),
                }),
                account_number: Some(pan(raw_pan)),
                token_number: None,
            },
            opened: Arc::default(),
        }
    }

    /// Card data that decrypts, but whose card fields are unusable (a
    /// Luhn-invalid PAN, a 13th month): refused like any card data, no field named.
    pub fn invalid_card_fields() -> Self {
        Self {
            contents: Contents::Card {
                card: Err(CardDataRejection::InvalidCardData),
                account_number: None,
                token_number: None,
            },
            opened: Arc::default(),
        }
    }

    /// Card data that cannot be opened at all.
    pub fn rejected(why: CardDataRejection) -> Self {
        Self {
            contents: Contents::Rejected(why),
            opened: Arc::default(),
        }
    }

    /// Activation card data: the token number and, when known, the funding PAN.
    pub fn activation(token_number: &str, account: Option<&str>) -> Self {
        Self {
            contents: Contents::Card {
                card: account
                    .map(|account| EnteredCard {
                        pan: pan(account),
                        expiry: None,
                        cvc: None,
                    })
                    .ok_or(CardDataRejection::InvalidCardData),
                account_number: account.map(pan),
                token_number: Some(token_number.to_owned()),
            },
            opened: Arc::default(),
        }
    }

    /// The same card data again (a network retry), sharing the open count.
    pub fn sealed(&self) -> Box<dyn SealedCardData> {
        Box::new(self.clone())
    }

    /// How often any copy was opened.
    pub fn opened(&self) -> usize {
        self.opened.load(Ordering::SeqCst)
    }
}

impl SealedCardData for TestCardData {
    fn open(&self, _now: OffsetDateTime) -> Result<CardData, AppError> {
        self.opened.fetch_add(1, Ordering::SeqCst);
        match &self.contents {
            Contents::Rejected(why) => Err(AppError::CardData(*why)),
            Contents::Card {
                card,
                account_number,
                token_number,
            } => Ok(CardData {
                card: card.clone(),
                account_number: account_number.clone(),
                token_number: token_number.clone().map(Secret::new),
                wallet: None,
            }),
        }
    }
}

// ---------------------------------------------------------------- issuer

/// An active card whose CVC2 and expiry match, without contact details.
pub fn active_card() -> VerifiedCard {
    VerifiedCard {
        card_id: "card-1".to_owned(),
        status: CardStatus::Active,
        cvc_result: CvcResult::Match,
        expiry_match: true,
        phone_number: None,
        email: None,
        product_category: "CONSUMER".to_owned(),
    }
}

/// An active card with the cardholder's phone and e-mail on file.
pub fn card_with_contact() -> VerifiedCard {
    VerifiedCard {
        phone_number: Some(Secret::new(PHONE.to_owned())),
        email: Some(Secret::new(EMAIL.to_owned())),
        ..active_card()
    }
}

/// The wallet recommends approval with good scores.
pub fn green_wallet() -> WalletAdvice {
    WalletAdvice {
        recommended_decision: Some(Decision::Approved),
        device_score: Some(5),
        account_score: Some(5),
        ..WalletAdvice::default()
    }
}

/// The wallet asks for additional authentication.
pub fn yellow_wallet() -> WalletAdvice {
    WalletAdvice {
        recommended_decision: Some(Decision::RequireAdditionalAuthentication),
        device_score: Some(3),
        account_score: Some(4),
        ..WalletAdvice::default()
    }
}

// ---------------------------------------------------------------- messages

pub fn message(request_id: &str, parts: &[&str]) -> Message {
    Message {
        network: Network::Mastercard,
        request_id: request_id.to_owned(),
        signature: signature(parts),
    }
}

pub fn authorize_command(
    request_id: &str,
    token_ref: &str,
    wallet: WalletAdvice,
    card: &TestCardData,
) -> AuthorizeCommand {
    AuthorizeCommand {
        message: message(request_id, &[token_ref, "CLOUD"]),
        correlation_id: format!("corr-{request_id}"),
        token_ref: token_ref.to_owned(),
        pan_unique_reference: Some("FWSPMC000000000000000000000000000000000000000001".to_owned()),
        token_requestor_id: Some(TOKEN_REQUESTOR.to_owned()),
        wallet_id: Some("103".to_owned()),
        payment_app_instance_id: Some("app-1".to_owned()),
        token_type: "CLOUD".to_owned(),
        device_name: Some("Jane's phone".to_owned()),
        device_type: Some("PHONE".to_owned()),
        device_os: Some("ANDROID".to_owned()),
        wallet,
        card_data: card.sealed(),
    }
}

// ---------------------------------------------------------------- tokens

pub fn state_of(status: TokenStatus, suspenders: &[Suspender]) -> LifecycleState {
    LifecycleState {
        status,
        suspenders: suspenders.iter().copied().collect::<BTreeSet<_>>(),
        last_event_at: Some(DEFAULT_NOW - time::Duration::hours(1)),
    }
}

/// A token as the store holds it after authorization (version 1).
pub fn token_record(
    token_ref: &str,
    status: TokenStatus,
    fingerprint: Option<String>,
) -> TokenRecord {
    TokenRecord {
        token_ref: token_ref.to_owned(),
        network: Network::Mastercard,
        state: state_of(status, &[]),
        version: 1,
        pan_fingerprint: fingerprint,
        pan_last4: Some("4444".to_owned()),
        pan_expiry: None,
        pan_unique_reference: Some("FWSPMC000000000000000000000000000000000000000001".to_owned()),
        token_requestor_id: Some(TOKEN_REQUESTOR.to_owned()),
        wallet_id: Some("103".to_owned()),
        has_contact: false,
        language: None,
        authorization_decision: None,
        pending: None,
    }
}

/// Contact details as `authorize` seals them on the token.
pub fn sealed_contact(token_ref: &str, phone: Option<&str>, email: Option<&str>) -> Vec<u8> {
    let contact = ContactDetails {
        phone_number: phone.map(|p| Secret::new(p.to_owned())),
        email: email.map(|e| Secret::new(e.to_owned())),
    };
    FakeVault::seal(
        &serde_json::to_vec(&contact).expect("contact serialises"),
        &contact_context(token_ref),
    )
}

// ---------------------------------------------------------------- the world

/// The testkit's [`World`](tmp_testkit::world::World) with the settings
/// these tests assert on (8-digit codes valid 10 minutes, [`CALL_CENTRE`])
/// and seeds for [`TOKEN`] and [`PAN`].
pub struct World(tmp_testkit::world::World);

impl Default for World {
    fn default() -> Self {
        Self(
            tmp_testkit::world::World {
                code_policy: CodePolicy {
                    length: 8,
                    ttl: time::Duration::minutes(10),
                    max_attempts: 3,
                    ..CodePolicy::default()
                },
                ..Default::default()
            }
            .with_call_centre(CALL_CENTRE),
        )
    }
}

impl Deref for World {
    type Target = tmp_testkit::world::World;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl World {
    /// The issuer knows [`PAN`] as `card`.
    pub fn with_card(self, card: VerifiedCard) -> Self {
        self.cards.set_card(PAN, card);
        self
    }

    /// The same world with another code policy (`ACTIVATION_CODE_*`).
    pub fn with_code_policy(self, code_policy: CodePolicy) -> Self {
        Self(tmp_testkit::world::World {
            code_policy,
            ..self.0
        })
    }

    /// Seeds [`TOKEN`] for [`PAN`] in `status`, counted on the card when live.
    pub fn seed_token(&self, status: TokenStatus) -> TokenRecord {
        let record = token_record(TOKEN, status, Some(self.fingerprint(PAN)));
        self.state.seed_token(record.clone(), None);
        if status.is_live() {
            self.state.set_live_tokens(&self.fingerprint(PAN), 1);
        }
        record
    }

    /// Seeds [`TOKEN`] for [`PAN`] as authorization leaves a yellow
    /// decision: INACTIVE, awaiting additional authentication, counted.
    pub fn seed_awaiting_authentication(&self) -> TokenRecord {
        self.seed_decided(
            TokenStatus::Inactive,
            Decision::RequireAdditionalAuthentication,
        )
    }

    /// Seeds [`TOKEN`] for [`PAN`] in `status`, authorized with `decision`.
    pub fn seed_decided(&self, status: TokenStatus, decision: Decision) -> TokenRecord {
        let mut record = token_record(TOKEN, status, Some(self.fingerprint(PAN)));
        record.authorization_decision = Some(decision);
        self.state.seed_token(record.clone(), None);
        if status.is_live() {
            self.state.set_live_tokens(&self.fingerprint(PAN), 1);
        }
        record
    }

    /// Seeds an issuer code `code` for `token_ref`, valid for 30 minutes.
    pub fn seed_code(&self, token_ref: &str, code: &str) -> StoredCode {
        let stored = StoredCode {
            issued: IssuedCode {
                mac: self.code_mac(token_ref, code),
                expires_at: self.now() + time::Duration::minutes(30),
                attempts: 0,
                max_attempts: 3,
                used: false,
                source: CodeSource::Issuer,
                sends: 1,
                generation: 1,
            },
            ciphertext: FakeVault::seal(code.as_bytes(), &activation_code_context(token_ref)),
        };
        self.state.seed_code(token_ref, stored.clone());
        stored
    }
}

// ---------------------------------------------------------------- wrappers

/// An authorization store that races: other requests change the card
/// between our read and our write, or transactions collide.
pub struct RacingAuthorizations {
    pub inner: Arc<MemoryTokenState>,
    /// Right after the next snapshot, the card's live counter is set to this
    /// (by another request: the aggregate's version moves on).
    pub fill_card_to: Mutex<Option<(String, u32)>>,
    /// Right after the next snapshot, this other authorization runs to its end.
    pub interloper: Mutex<Option<(AuthorizeTokenization, AuthorizeCommand)>>,
    /// The next `n` saves fail with `SaveError::Contention` (nothing written).
    pub contention: AtomicU32,
    pub snapshots: AtomicU32,
    pub saves: AtomicU32,
}

impl RacingAuthorizations {
    pub fn new(inner: Arc<MemoryTokenState>) -> Self {
        Self {
            inner,
            fill_card_to: Mutex::new(None),
            interloper: Mutex::new(None),
            contention: AtomicU32::new(0),
            snapshots: AtomicU32::new(0),
            saves: AtomicU32::new(0),
        }
    }
}

#[async_trait]
impl AuthorizationStore for RacingAuthorizations {
    async fn snapshot(
        &self,
        request: &RequestKey,
        pan_fingerprint: &str,
        token_ref: &str,
    ) -> Result<AuthorizationSnapshot, StoreError> {
        self.snapshots.fetch_add(1, Ordering::SeqCst);
        let snapshot = self
            .inner
            .snapshot(request, pan_fingerprint, token_ref)
            .await?;
        let fill = self.fill_card_to.lock().expect("not poisoned").take();
        if let Some((fingerprint, to)) = fill {
            self.inner.set_live_tokens(&fingerprint, to);
        }
        let interloper = self.interloper.lock().expect("not poisoned").take();
        if let Some((authorize, command)) = interloper {
            authorize
                .authorize(&command)
                .await
                .expect("the other request is answered");
        }
        Ok(snapshot)
    }

    async fn save_authorization(&self, write: &AuthorizationWrite) -> Result<(), SaveError> {
        self.saves.fetch_add(1, Ordering::SeqCst);
        let collides = self
            .contention
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        if collides {
            return Err(SaveError::Contention);
        }
        self.inner.save_authorization(write).await
    }
}

/// A token store where other writers get in between our read and our commit.
pub struct RacingTokens {
    pub inner: Arc<MemoryTokenState>,
    /// Applied (by another invocation) just before our next commit.
    pub interloper: Mutex<Option<(TokenLifecycle, Transition)>>,
    /// The next `n` reads return the token one version behind.
    pub stale_reads: AtomicU32,
    /// The commit with this number (1-based) fails as the store being down.
    pub fail_commit: Option<u32>,
    pub commits: AtomicU32,
}

impl RacingTokens {
    pub fn new(inner: Arc<MemoryTokenState>) -> Self {
        Self {
            inner,
            interloper: Mutex::new(None),
            stale_reads: AtomicU32::new(0),
            fail_commit: None,
            commits: AtomicU32::new(0),
        }
    }
}

#[async_trait]
impl TokenLifecycleStore for RacingTokens {
    async fn token(&self, token_ref: &str) -> Result<Option<TokenRecord>, StoreError> {
        let mut token = self.inner.token(token_ref).await?;
        let stale = self
            .stale_reads
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        if stale && let Some(token) = token.as_mut() {
            token.version = token.version.saturating_sub(1);
        }
        Ok(token)
    }

    async fn commit(&self, commit: &LifecycleCommit) -> Result<(), SaveError> {
        let number = self.commits.fetch_add(1, Ordering::SeqCst) + 1;
        let interloper = self.interloper.lock().expect("not poisoned").take();
        if let Some((lifecycle, transition)) = interloper {
            lifecycle
                .apply(&transition)
                .await
                .expect("the other writer commits");
        }
        if self.fail_commit == Some(number) {
            return Err(SaveError::Store(StoreError::Unavailable(
                "injected failure of one commit".into(),
            )));
        }
        self.inner.commit(commit).await
    }

    async fn history(
        &self,
        token_ref: &str,
    ) -> Result<Vec<tmp_core::domain::token::HistoryEntry>, StoreError> {
        self.inner.history(token_ref).await
    }

    async fn token_with_contact(
        &self,
        token_ref: &str,
    ) -> Result<Option<(TokenRecord, Option<Vec<u8>>)>, StoreError> {
        self.inner.token_with_contact(token_ref).await
    }
}
