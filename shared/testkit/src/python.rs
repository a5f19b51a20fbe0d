//! The test tools' Python (`.venv`, made by `make venv`: moto, jwcrypto,
//! Mastercard's OAuth1 signer, the OpenAPI validators), for tests that prove
//! interoperability or check our answers against an OpenAPI document.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::moto::workspace_root;

/// The venv's interpreter, or why there is none.
pub fn python() -> Result<PathBuf, String> {
    let python = workspace_root().join(".venv/bin/python");
    if python.exists() {
        Ok(python)
    } else {
        Err(format!(
            "{} not found: run `make venv` (it installs the test tools)",
            python.display()
        ))
    }
}

/// Runs the venv's Python with `args`, feeding `stdin`; stdout, or stderr as the error.
pub fn run_python(args: &[&str], stdin: &[u8]) -> Result<Vec<u8>, String> {
    let mut child = Command::new(python()?)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("starting python: {e}"))?;
    child
        .stdin
        .take()
        .ok_or("python has no stdin")?
        .write_all(stdin)
        .map_err(|e| format!("writing to python: {e}"))?;
    let out = child
        .wait_with_output()
        .map_err(|e| format!("waiting for python: {e}"))?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// Validates the document (openapi-spec-validator), then each instance
/// against `#/components/schemas/<name>` (openapi-schema-validator, OAS 3.0
/// dialect, formats checked).
const SCHEMA_CHECK: &str = r##"
import json, sys, yaml
from openapi_spec_validator import validate
from openapi_schema_validator import OAS30Validator, oas30_format_checker
spec = yaml.safe_load(open(sys.argv[1]))
validate(spec)
out = []
for name, instance in json.load(sys.stdin):
    schema = {"components": spec["components"], "$ref": "#/components/schemas/" + name}
    v = OAS30Validator(schema, format_checker=oas30_format_checker)
    out.append([e.message for e in v.iter_errors(instance)])
json.dump(out, sys.stdout)
"##;

/// Each `(schema name, instance)`'s errors against the OpenAPI document at
/// `spec` (an empty list: it fits); an error if the document itself is invalid.
pub fn openapi_schema_errors(
    spec: &Path,
    cases: &[(&str, Value)],
) -> Result<Vec<Vec<String>>, String> {
    let input = serde_json::to_vec(cases).map_err(|e| e.to_string())?;
    let spec = spec.to_str().ok_or("the document's path is not UTF-8")?;
    let out = run_python(&["-c", SCHEMA_CHECK, spec], &input)?;
    serde_json::from_slice(&out).map_err(|e| e.to_string())
}
