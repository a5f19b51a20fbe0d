//! Function configuration: the environment variables `template.yaml` declares.
//!
//! Lambda reads them from the process environment; the local gateway builds the
//! same map from the template, so both run one code path.

use std::collections::HashMap;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("missing environment variable {0}")]
    Missing(String),
    #[error("environment variable {name} is invalid: {reason}")]
    Invalid { name: String, reason: String },
}

#[derive(Debug, Clone, Default)]
pub struct FunctionEnv(HashMap<String, String>);

impl FunctionEnv {
    pub fn from_process() -> Self {
        Self(std::env::vars().collect())
    }

    pub fn from_map(vars: HashMap<String, String>) -> Self {
        Self(vars)
    }

    /// Every variable, sorted by name.
    pub fn vars(&self) -> std::collections::BTreeMap<&str, &str> {
        self.0
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    pub fn require(&self, name: &str) -> Result<&str, ConfigError> {
        self.get(name)
            .ok_or_else(|| ConfigError::Missing(name.to_owned()))
    }

    /// A value parsed with `FromStr`, or `default` when unset.
    pub fn parse_or<T: std::str::FromStr>(&self, name: &str, default: T) -> Result<T, ConfigError>
    where
        T::Err: std::fmt::Display,
    {
        match self.get(name) {
            None => Ok(default),
            Some(raw) => raw.parse().map_err(|e: T::Err| ConfigError::Invalid {
                name: name.to_owned(),
                reason: e.to_string(),
            }),
        }
    }
}

impl From<tmp_core::error::SettingError> for ConfigError {
    fn from(err: tmp_core::error::SettingError) -> Self {
        Self::Invalid {
            name: err.name.to_owned(),
            reason: err.reason,
        }
    }
}
