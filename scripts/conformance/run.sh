#!/usr/bin/env bash
# Conformance check of a built `medaid` binary against an independent client (Python grpcio).
#
# Usage: scripts/conformance/run.sh path/to/medaid
#
# It creates a virtualenv under .tools/venv (gitignored), starts `medaid serve` on a free port with a
# temporary data directory, runs check.py against it and stops the server. The exit status is non-zero
# when any check fails.
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 path/to/medaid" >&2
  exit 2
fi
binary="$(realpath "$1")"
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$root/.tools/venv"

if [[ ! -x "$venv/bin/python" ]]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check \
  grpcio grpcio-health-checking grpcio-reflection grpcio-status

data_dir="$(mktemp -d)"
port="$("$venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
log="$data_dir/server.log"

"$binary" serve --listen "127.0.0.1:$port" --data-dir "$data_dir" >"$log" 2>&1 &
server_pid=$!
cleanup() {
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  rm -rf "$data_dir"
}
trap cleanup EXIT

# The dev key is created by the server on start, so the token is minted once the port answers.
for _ in $(seq 1 100); do
  if "$venv/bin/python" -c "import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(('127.0.0.1',$port)))"; then
    break
  fi
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "conformance: the server exited early; its log follows" >&2
    cat "$log" >&2
    exit 1
  fi
  sleep 0.1
done

token="$("$binary" dev-token --data-dir "$data_dir" --role recorder,reader --scope '*')"
"$venv/bin/python" "$here/check.py" "127.0.0.1:$port" "$token"

# The README's walk-through against the same server, so its copy-paste calls stay true.
if [[ -x "$root/.tools/buf" ]]; then
  if ! "$root/scripts/demo.sh" "127.0.0.1:$port" "$token" >"$data_dir/demo.log" 2>&1; then
    echo "conformance: the README walk-through (scripts/demo.sh) failed; its output follows" >&2
    cat "$data_dir/demo.log" >&2
    exit 1
  fi
  echo "conformance: the README walk-through (scripts/demo.sh) passed"
else
  echo "conformance: buf is not installed (scripts/install-tools.sh); walk-through not run" >&2
fi

# The README's auditor section, every command as written, against a fresh server of its own.
verify_binary="$(dirname "$binary")/medaid-verify"
if [[ -x "$root/.tools/buf" ]] && command -v jq >/dev/null && [[ -x "$verify_binary" ]]; then
  "$root/scripts/readme-audit.sh" "$binary" "$verify_binary"
else
  echo "conformance: buf, jq or $verify_binary missing; the README's auditor section not run" >&2
fi
