#!/usr/bin/env bash
# Runs a command with a private moto server (AWS emulator) on a free loopback
# port, exported as AWS_ENDPOINT_URL; stops the server afterwards whatever happens.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
moto="$root/infra/scripts/moto-server"
port="$("$root/.venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
log="${TMPDIR:-/tmp}/tmp-moto-$port.log"
"$moto" -H 127.0.0.1 -p "$port" >"$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true' EXIT INT TERM
for _ in $(seq 1 100); do
  if curl -fsS "http://127.0.0.1:$port/moto-api/" >/dev/null 2>&1; then break; fi
  sleep 0.1
done
curl -fsS "http://127.0.0.1:$port/moto-api/" >/dev/null || { echo "moto did not start; see $log" >&2; exit 1; }
export AWS_ENDPOINT_URL="http://127.0.0.1:$port"
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
echo "moto server on $AWS_ENDPOINT_URL (pid $pid)"
"$@"
