#!/usr/bin/env bash
# Installs what the extension-host and browser tests need: code-server 4.100.3 (= VS Code 1.100.3,
# the last release that runs on Node 20) into .test-tools/code-server, and Debian's Chromium.
# Desktop VS Code can't be downloaded on these machines; code-server ships the same workbench.
# `--check`: install nothing; exit 1 saying exactly what to run first when the apt packages are
# missing and can't be installed from here (not root, or no apt-get), so callers stop early.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR="$PWD/.test-tools/code-server"
VERSION=4.100.3

need_apt=()
for p in build-essential python3 libkrb5-dev ripgrep chromium fonts-dejavu-core fonts-liberation; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || need_apt+=("$p")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null; then
    echo "code-server needs these Debian packages and this machine has no apt-get: install them (or their equivalents) first: ${need_apt[*]}" >&2
    exit 1
  fi
  if [ "$(id -u)" != 0 ]; then
    echo "code-server needs root to install ${need_apt[*]}. Run first: sudo bash scripts/install-code-server.sh" >&2
    exit 1
  fi
fi
[ "${1:-}" = --check ] && exit 0
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "apt-get install ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null || { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null; }
fi

# (Reading package.json: even `code-server --version` writes ~/.config/code-server/config.yaml.)
installed_version() { node -p "require('$DIR/node_modules/code-server/package.json').version" 2>/dev/null; }
if [ -x "$DIR/node_modules/.bin/code-server" ] && [ "$(installed_version)" = "$VERSION" ]; then
  echo "code-server $VERSION: present"
  exit 0
fi
mkdir -p "$DIR"
TMP=$(mktemp -d)
# @vscode/ripgrep's postinstall downloads rg from GitHub unless its cache already has it: seed it with Debian's.
mkdir -p "$TMP/vscode-ripgrep-cache-1.15.11"
tar czf "$TMP/vscode-ripgrep-cache-1.15.11/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C /usr/bin rg
cd "$DIR"
[ -f package.json ] || echo '{"private":true}' > package.json
echo "installing code-server $VERSION (about 90 s)..."
# Native modules (argon2, node-pty, kerberos) build against Node's own headers: nothing is downloaded.
[ -f /usr/include/node/node.h ] && export npm_config_nodedir=/usr
TMPDIR="$TMP" npm_config_yes=true npm_config_unsafe_perm=true \
  npm install --unsafe-perm --no-audit --no-fund --loglevel=error "code-server@$VERSION" >/dev/null
rm -rf "$TMP"
echo "code-server $(installed_version): installed"
