#!/usr/bin/env bash
# Runs a command with a private moto server (AWS emulator) on a free loopback
# port, exported as AWS_ENDPOINT_URL; stops the server afterwards whatever
# happens. The launcher is tmp-testkit's (the one tmp-local and the tests use).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
cargo build --quiet --locked -p tmp-testkit --bin with-moto --manifest-path "$root/Cargo.toml"
export TMP_LOCAL_MOTO_SERVER="${TMP_LOCAL_MOTO_SERVER:-$root/infra/scripts/moto-server}"
exec "$target/debug/with-moto" "$@"
