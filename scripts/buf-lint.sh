#!/usr/bin/env bash
# Lints the protobuf API (buf.yaml: STANDARD + COMMENTS) and, when the main
# branch already has proto files, checks for breaking changes against it (FILE).
#
# Run scripts/install-tools.sh first (CI does). Exits non-zero on any finding.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${root}"

buf="${root}/.tools/buf"
if [[ ! -x "${buf}" ]]; then
    echo "error: buf is not installed; run scripts/install-tools.sh" >&2
    exit 1
fi

echo "buf lint"
"${buf}" lint

# Compare against main only when it already contains our protos: the first
# commit that adds them has nothing to compare to. A shallow CI clone may
# lack the main branch entirely; then the check is skipped with a notice.
against_ref="${BUF_BREAKING_AGAINST_BRANCH:-main}"
if git rev-parse --verify --quiet "refs/heads/${against_ref}" >/dev/null \
    && [[ -n "$(git ls-tree -r --name-only "refs/heads/${against_ref}" -- proto/medaid 2>/dev/null)" ]]; then
    echo "buf breaking --against .git#branch=${against_ref}"
    "${buf}" breaking --against ".git#branch=${against_ref}"
else
    echo "buf breaking: skipped (branch ${against_ref} has no proto/medaid files yet)"
fi
