#!/usr/bin/env bash
# Installs the project-local developer tools into .tools/ (git-ignored).
#
# Idempotent: a tool that is already installed at the pinned version is left alone,
# so CI and developers can run this on every build. Needs only node/npm and access
# to the npm registry; works from a clean clone on a fresh machine.
#
# Tools:
#   buf (npm @bufbuild/buf): protobuf lint and breaking-change checks (scripts/buf-lint.sh).
set -euo pipefail

BUF_VERSION="${BUF_VERSION:-1.75.0}"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="${root}/.tools"
mkdir -p "${tools}"

# Prints the path of the installed buf binary, or nothing when it is missing.
find_buf() {
    local candidate
    for candidate in \
        "${tools}"/node_modules/@bufbuild/buf-*/bin/buf \
        "${tools}/node_modules/.bin/buf"; do
        if [[ -x "${candidate}" ]]; then
            printf '%s\n' "${candidate}"
            return 0
        fi
    done
    return 0
}

installed_version() {
    local bin
    bin="$(find_buf)"
    [[ -n "${bin}" ]] && "${bin}" --version 2>/dev/null || true
}

if [[ "$(installed_version)" == "${BUF_VERSION}" ]]; then
    echo "buf ${BUF_VERSION} already installed: $(find_buf)"
else
    if ! command -v npm >/dev/null 2>&1; then
        echo "error: npm is required to install buf (apt-get install nodejs npm)" >&2
        exit 1
    fi
    echo "installing @bufbuild/buf@${BUF_VERSION} into ${tools}"
    # --prefix keeps everything under .tools/; the platform binary ships in an optional
    # dependency (@bufbuild/buf-linux-x64 etc.), so it works even with --ignore-scripts.
    npm install --prefix "${tools}" --no-audit --no-fund --ignore-scripts \
        "@bufbuild/buf@${BUF_VERSION}"
    got="$(installed_version)"
    if [[ "${got}" != "${BUF_VERSION}" ]]; then
        echo "error: buf install failed (found '${got}', wanted ${BUF_VERSION})" >&2
        exit 1
    fi
    echo "installed buf ${got}: $(find_buf)"
fi

# A stable path for the other scripts.
ln -sfn "$(find_buf)" "${tools}/buf"
