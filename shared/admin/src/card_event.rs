//! `POST /admin-api/v1/cards/{cardId}/events`: a supervisor reports what
//! happened to the card (lost, stolen, blocked, unblocked, closed) and every
//! token of it follows, as a job. A replaced or renewed card carries the new
//! card's number: that comes from the issuer's back office (TMP API), never
//! through the panel.

use serde::Deserialize;
use tmp_api::Problem;
use tmp_api::validate::Validate;
use tmp_core::domain::job::CardEventKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PanelCardEvent {
    Lost,
    Stolen,
    Blocked,
    Unblocked,
    Closed,
}

impl PanelCardEvent {
    pub fn kind(self) -> CardEventKind {
        match self {
            Self::Lost => CardEventKind::Lost,
            Self::Stolen => CardEventKind::Stolen,
            Self::Blocked => CardEventKind::Blocked,
            Self::Unblocked => CardEventKind::Unblocked,
            Self::Closed => CardEventKind::Closed,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Lost => "LOST",
            Self::Stolen => "STOLEN",
            Self::Blocked => "BLOCKED",
            Self::Unblocked => "UNBLOCKED",
            Self::Closed => "CLOSED",
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CardEventRequest {
    #[serde(rename = "type")]
    pub kind: PanelCardEvent,
    pub comment: Option<String>,
}

impl Validate for CardEventRequest {
    fn validate(&self) -> Result<(), Problem> {
        if let Some(comment) = &self.comment
            && (comment.is_empty()
                || comment.chars().count() > 256
                || comment.chars().any(char::is_control))
        {
            return Err(Problem::invalid("comment"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use tmp_api::validate::parse;

    use super::*;

    fn request(body: serde_json::Value) -> Result<CardEventRequest, Problem> {
        parse(body.to_string().as_bytes())
    }

    #[test]
    fn the_panel_reports_what_happened_to_a_card_but_never_a_new_number() {
        let lost = request(json!({"type": "LOST", "comment": "Cardholder called"})).unwrap();
        assert_eq!(lost.kind.kind(), CardEventKind::Lost);
        for body in [
            json!({"type": "REPLACED", "newPan": "5105105105105100", "newExpiry": "09/30"}),
            json!({"type": "RENEWED"}),
            json!({"type": "LOST", "comment": ""}),
            json!({"type": "LOST", "comment": "a\nb"}),
            json!({"type": "LOST", "operator": "someone@else"}),
            json!({}),
        ] {
            let problem = request(body.clone()).unwrap_err();
            assert_eq!(problem.status, 422, "{body}");
            assert!(!problem.detail.contains("5105105105105100"));
        }
    }
}
