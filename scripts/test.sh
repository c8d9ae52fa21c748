#!/usr/bin/env bash
# Runs the whole test suite: every crate's unit and integration tests (the event store's shared
# suite, the domain's given/when/then and seed scenarios, the end-to-end tests against a real
# server) and, when present, the conformance check with an independent Python gRPC client.
#
# PostgreSQL cases run when MEDAID_TEST_DATABASE_URL points at a server the tests may create
# databases on (for example postgres://postgres@127.0.0.1:5432/test); otherwise they say so and pass.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ -z "${MEDAID_TEST_DATABASE_URL:-}" ]]; then
    echo "note: MEDAID_TEST_DATABASE_URL is not set; the PostgreSQL cases will not run" >&2
elif command -v psql >/dev/null 2>&1; then
    # Each PostgreSQL test creates a database of its own and leaves it for inspection; drop those of
    # earlier runs so a long-lived server does not fill up. Only names the suites generate match.
    psql "${MEDAID_TEST_DATABASE_URL}" -tAc \
        "SELECT datname FROM pg_database WHERE datname ~ '^medaid_(test|t|p|app|rm|e2e)_[0-9a-f]{32}$'" |
        while read -r name; do
            [[ -n "${name}" ]] && psql "${MEDAID_TEST_DATABASE_URL}" -qc "DROP DATABASE IF EXISTS \"${name}\" WITH (FORCE)" >/dev/null
        done
fi

# The conformance check needs the binary; it runs first so the test runner's summary closes the output.
if [[ -x scripts/conformance/run.sh ]]; then
    cargo build --quiet -p server --bin medaid -p verify --bin medaid-verify
    scripts/conformance/run.sh "${CARGO_TARGET_DIR:-target}/debug/medaid"
fi

# The poison property test (tests/poison.rs) writes the feed of its hostile log here; the Python
# json_format check below decodes it independently. The fuzz targets (fuzz/harness.rs) run
# MEDAID_FUZZ_CASES generated inputs each after their committed corpus.
poison_feed="${CARGO_TARGET_DIR:-target}/poison-feed"
rm -rf "${poison_feed}"
export MEDAID_POISON_FEED_DIR="$(pwd)/${poison_feed}"
export MEDAID_FUZZ_CASES="${MEDAID_FUZZ_CASES:-4096}"

if cargo nextest --version >/dev/null 2>&1; then
    cargo nextest run --workspace --no-fail-fast
else
    cargo test --workspace --no-fail-fast
fi

if [[ -x .tools/venv/bin/python && -d "${poison_feed}" ]]; then
    .tools/venv/bin/python scripts/conformance/check_feed_json.py "${poison_feed}"
elif [[ "${MEDAID_REQUIRE_FEED_CHECK:-}" == 1 ]]; then
    # CI sets this: without the venv (scripts/install-tools.sh) or the poison test's dump the
    # independent JSON decoding of the hostile feed would be skipped without a word.
    echo "error: the feed JSON check needs .tools/venv and ${poison_feed} (MEDAID_REQUIRE_FEED_CHECK=1)" >&2
    exit 1
else
    echo "note: .tools/venv or ${poison_feed} is missing; the feed JSON check did not run" >&2
fi
