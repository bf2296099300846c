#!/usr/bin/env bash
# The project's test command (`npm test`): unit tests, then integration tests against real FTP
# servers on 127.0.0.1. It installs the servers itself when it can (root with apt); otherwise the
# tests that need a missing server fail and say what to install.
set -uo pipefail
cd "$(dirname "$0")/.."

[ -d node_modules ] || npm ci --no-audit --no-fund

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  bash scripts/install-test-servers.sh || echo "Some test servers could not be installed; their tests will fail and name them."
else
  echo "Not root or no apt-get: the test servers can't be installed here. Run 'sudo bash scripts/install-test-servers.sh' first."
fi

npm run --silent compile-tests || exit 1
mkdir -p test-results
rm -f test-results/interop-matrix.md

# A hung test fails after 5 minutes instead of holding CI.
node --test --test-concurrency=1 --test-timeout=300000 --test-reporter=spec out/test/unit/ out/test/integration/
status=$?

if [ -f test-results/interop-matrix.md ]; then
  echo
  cat test-results/interop-matrix.md
fi
exit $status
