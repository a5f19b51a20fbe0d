//! Every cardholder-facing text, per language, as data. Placeholders:
//! `{issuer}`, `{code}`, `{minutes}`, `{last4}`, `{wallet}`. Add a language by
//! adding one entry; unknown languages fall back to [`DEFAULT_LANGUAGE`].

pub const DEFAULT_LANGUAGE: &str = "en";

#[derive(Debug)]
pub struct LanguageTemplates {
    /// ISO-639-1.
    pub language: &'static str,
    pub otp_text: &'static str,
    pub otp_subject: &'static str,
    pub token_activated_text: &'static str,
    pub token_activated_subject: &'static str,
    pub token_deleted_text: &'static str,
    pub token_deleted_subject: &'static str,
    /// `{wallet}` when the wallet is not a known one; fits the sentences above.
    pub unknown_wallet: &'static str,
}

/// English, also the fallback for any language without templates.
const EN: LanguageTemplates = LanguageTemplates {
    language: "en",
    otp_text: "Your {issuer} verification code is {code}. It expires in {minutes} minutes. Never share it.",
    otp_subject: "Your {issuer} verification code",
    token_activated_text: "Your {issuer} card ending {last4} was added to {wallet}. Not you? Call us right away.",
    token_activated_subject: "Your card was added to {wallet}",
    token_deleted_text: "Your {issuer} card ending {last4} was removed from {wallet}.",
    token_deleted_subject: "Your card was removed from {wallet}",
    unknown_wallet: "a digital wallet",
};

pub static TEMPLATES: &[LanguageTemplates] = &[
    EN,
    LanguageTemplates {
        language: "fr",
        otp_text: "Votre code de vérification {issuer} est {code}. Il expire dans {minutes} minutes. Ne le communiquez jamais.",
        otp_subject: "Votre code de vérification {issuer}",
        token_activated_text: "Votre carte {issuer} se terminant par {last4} a été ajoutée au portefeuille {wallet}. Ce n'est pas vous ? Appelez-nous immédiatement.",
        token_activated_subject: "Votre carte a été ajoutée au portefeuille {wallet}",
        token_deleted_text: "Votre carte {issuer} se terminant par {last4} a été retirée du portefeuille {wallet}.",
        token_deleted_subject: "Votre carte a été retirée du portefeuille {wallet}",
        unknown_wallet: "numérique",
    },
    LanguageTemplates {
        language: "de",
        otp_text: "Ihr {issuer} Bestätigungscode lautet {code}. Er läuft in {minutes} Minuten ab. Geben Sie ihn niemals weiter.",
        otp_subject: "Ihr {issuer} Bestätigungscode",
        token_activated_text: "Ihre {issuer} Karte mit der Endung {last4} wurde zu {wallet} hinzugefügt. Waren Sie das nicht? Rufen Sie uns sofort an.",
        token_activated_subject: "Ihre Karte wurde zu {wallet} hinzugefügt",
        token_deleted_text: "Ihre {issuer} Karte mit der Endung {last4} wurde aus {wallet} entfernt.",
        token_deleted_subject: "Ihre Karte wurde aus {wallet} entfernt",
        unknown_wallet: "einer digitalen Wallet",
    },
    LanguageTemplates {
        language: "pl",
        otp_text: "Twój kod weryfikacyjny {issuer} to {code}. Wygasa za {minutes} min. Nigdy nikomu go nie podawaj.",
        otp_subject: "Twój kod weryfikacyjny {issuer}",
        token_activated_text: "Karta {issuer} zakończona cyframi {last4} została dodana do portfela {wallet}. To nie Ty? Zadzwoń do nas natychmiast.",
        token_activated_subject: "Karta dodana do portfela {wallet}",
        token_deleted_text: "Karta {issuer} zakończona cyframi {last4} została usunięta z portfela {wallet}.",
        token_deleted_subject: "Karta usunięta z portfela {wallet}",
        unknown_wallet: "cyfrowego",
    },
];

/// The templates for `language` (`fr`, `fr-CA`, `FR_fr`…), English otherwise.
pub fn for_language(language: Option<&str>) -> &'static LanguageTemplates {
    let wanted = language
        .and_then(|l| l.split(['-', '_']).next())
        .map(str::to_ascii_lowercase);
    let find = |code: &str| TEMPLATES.iter().find(|t| t.language == code);
    wanted
        .as_deref()
        .and_then(find)
        .or_else(|| find(DEFAULT_LANGUAGE))
        .unwrap_or(&EN)
}

/// The wallet's display name, token requestor first.
pub fn wallet_name(
    token_requestor_id: Option<&str>,
    wallet_id: Option<&str>,
) -> Option<&'static str> {
    crate::domain::wallet::Wallet::known(token_requestor_id, wallet_id)
        .and_then(crate::domain::wallet::Wallet::display_name)
}

/// Replaces each `{name}` with its value; unknown placeholders stay as they are.
pub fn render(template: &str, values: &[(&str, &str)]) -> String {
    values
        .iter()
        .fold(template.to_owned(), |text, (name, value)| {
            text.replace(&format!("{{{name}}}"), value)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_every_placeholder_it_needs() {
        for t in TEMPLATES {
            for needed in ["{issuer}", "{code}", "{minutes}"] {
                assert!(t.otp_text.contains(needed), "{} otp {needed}", t.language);
            }
            for text in [t.token_activated_text, t.token_deleted_text] {
                for needed in ["{issuer}", "{last4}", "{wallet}"] {
                    assert!(text.contains(needed), "{} {needed}", t.language);
                }
            }
        }
    }

    #[test]
    fn languages_match_on_their_primary_subtag_and_fall_back_to_english() {
        assert_eq!(for_language(Some("fr")).language, "fr");
        assert_eq!(for_language(Some("fr-CA")).language, "fr");
        assert_eq!(for_language(Some("DE_de")).language, "de");
        assert_eq!(for_language(Some("pl")).language, "pl");
        assert_eq!(for_language(Some("ja")).language, "en");
        assert_eq!(for_language(Some("")).language, "en");
        assert_eq!(for_language(None).language, "en");
    }

    #[test]
    fn known_wallets_are_named_by_requestor_then_wallet_id() {
        assert_eq!(wallet_name(Some("50110030273"), None), Some("Apple Pay"));
        assert_eq!(
            wallet_name(Some("99999999999"), Some("216")),
            Some("Google Pay")
        );
        assert_eq!(wallet_name(Some("99999999999"), Some("999")), None);
    }

    #[test]
    fn render_fills_every_occurrence() {
        let text = render("{a} and {a}, {b}, {c}", &[("a", "1"), ("b", "2")]);
        assert_eq!(text, "1 and 1, 2, {c}");
    }
}
