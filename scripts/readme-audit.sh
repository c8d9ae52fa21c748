#!/usr/bin/env bash
# Runs the README's "Call it" and "Audit it" command blocks, exactly as written, against a real
# `medaid serve` on a fresh data folder, and fails if any command fails: the auditor's section
# stays true. Only two things differ from a reader's shell: `cargo run … --bin medaid -- ARGS` and
# `cargo run … --bin medaid-verify -- ARGS` call prebuilt binaries (so the script does not build a
# release), and the port is a free one instead of 50051.
#
# Usage: scripts/readme-audit.sh [MEDAID_BIN] [MEDAID_VERIFY_BIN]
#   defaults: target/release/medaid and target/release/medaid-verify
# Needs buf (scripts/install-tools.sh), jq, base64 and python3.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
medaid_bin="$(realpath "${1:-${root}/target/release/medaid}")"
verify_bin="$(realpath "${2:-${root}/target/release/medaid-verify}")"
for tool in "${medaid_bin}" "${verify_bin}" "${root}/.tools/buf"; do
    [[ -x "${tool}" ]] || { echo "error: ${tool} is missing" >&2; exit 1; }
done

work="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
cleanup() {
    [[ -n "${server:-}" ]] && kill "${server}" 2>/dev/null && wait "${server}" 2>/dev/null
    rm -rf "${work}"
}
trap cleanup EXIT
ln -s "${root}/.tools" "${work}/.tools"
ln -s "${root}/scripts" "${work}/scripts"

# The README's blocks: the one that mints the recorder token, then the auditor's.
python3 - "${root}/README.md" "${port}" > "${work}/readme.sh" <<'EOF'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
blocks = re.findall(r"```sh\n(.*?)```", text, re.S)
call = next(b for b in blocks if "dev-token --role recorder" in b)
audit = next(b for b in blocks if "AUDITOR=" in b)
body = call.replace("scripts/install-tools.sh\n", "") + "\n" + audit
print(body.replace("127.0.0.1:50051", "127.0.0.1:" + sys.argv[2]))
EOF

cd "${work}"
"${medaid_bin}" serve --listen "127.0.0.1:${port}" > serve.log 2>&1 &
server=$!
for _ in $(seq 100); do
    grep -q '"serving"' serve.log 2>/dev/null && break
    sleep 0.1
done

export MEDAID_BIN="${medaid_bin}" MEDAID_VERIFY_BIN="${verify_bin}"
bash -euo pipefail -c '
cargo() {
    # cargo run -q --release -p PKG --bin BIN -- ARGS: the prebuilt binary with ARGS.
    local bin=""
    while [[ $# -gt 0 && "$1" != "--" ]]; do [[ "$1" == "--bin" ]] && bin="$2"; shift; done
    shift
    case "${bin}" in
        medaid) "${MEDAID_BIN}" "$@" ;;
        medaid-verify) "${MEDAID_VERIFY_BIN}" "$@" ;;
        *) echo "readme-audit: unknown binary ${bin}" >&2; return 1 ;;
    esac
}
source ./readme.sh
' > readme.log 2>&1 || {
    echo "readme-audit: a README command failed; its output follows" >&2
    cat readme.log >&2
    exit 1
}
for expected in "OK: proof verified" "OK: bundle verified" "OK: witness verified"; do
    grep -q "${expected}" readme.log || {
        echo "readme-audit: missing \"${expected}\"" >&2
        cat readme.log >&2
        exit 1
    }
done
echo "readme-audit: every command of the README's auditor section worked as written"
