#!/usr/bin/env bash
# The project's test command (`npm test`). Layers: the extension-host suite inside a real VS Code
# (code-server on machines that can't download desktop VS Code), the browser end-to-end run (the
# packaged .vsix in code-server, driven through the UI), then unit tests and integration
# tests against real FTP servers on 127.0.0.1, then the network scenarios (namespaces, nftables).
# On a fresh clone it installs what it needs first: the dependencies (npm ci), the servers and
# code-server (root with apt-get). Where it can't (not root, no apt-get) it stops at once and says
# exactly what to run, instead of failing deep inside; a server apt could not install is a failing
# test that names it.
set -uo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" != 0 ]; then
  # The servers run chrooted and the scenarios build network namespaces: both need root.
  echo "npm test needs root (the FTP servers, network namespaces, nftables). Run: sudo npm test" >&2
  exit 1
fi
# Without apt-get nothing can be installed here: everything must be there already.
bash scripts/install-test-servers.sh --check && bash scripts/install-code-server.sh --check || exit 1

if [ ! -d node_modules ]; then
  echo "Installing the dependencies (no node_modules): npm ci --no-audit --no-fund, about a minute..."
  npm ci --no-audit --no-fund || exit 1
fi
bash scripts/install-test-servers.sh || echo "Some test servers could not be installed; their tests will fail and name them."
bash scripts/install-code-server.sh || echo "code-server could not be installed; the extension-host tests will fail."

npm run --silent build || exit 1
npm run --silent compile-tests || exit 1
mkdir -p test-results
rm -f test-results/interop-matrix.md

# Each layer's output is kept in test-results/<layer>.log too: the end of the run names the failed tests.
echo "== extension host (real VS Code)"
node out/test/vscode/run.js 2>&1 | tee test-results/extension-host.log
vscode_status=${PIPESTATUS[0]}

echo "== browser end-to-end (the packaged .vsix in code-server, driven in headless Chromium)"
# Screenshots of every step land in test-results/e2e/.
e2e_status=0
{ npm run --silent package && node out/test/e2e/run.js; } 2>&1 | tee test-results/e2e.log
e2e_status=${PIPESTATUS[0]}

echo "== unit, fuzz (short: FTPWS_FUZZ_RUNS, default 300 cases per property) and integration"
# A hung test fails after 5 minutes instead of holding CI. Two files at a time: most integration
# files wait on servers and timers (the fresh-clone demo, code-server's guards), and each server a
# test starts claims ports of its own (test/servers/common.ts): 4 min instead of 6. The outage
# tests run alone after them: they count a killed server's lingering sessions, which another
# file's load can keep alive long enough to be counted (a peak of 3 at a cap of 2, once in 6 runs).
together=$(ls out/test/integration/*.test.js | grep -v '/outages.test.js$')
node --test --test-concurrency=2 --test-timeout=300000 --test-reporter=spec out/test/unit/ out/test/fuzz/ $together 2>&1 | tee test-results/unit-integration.log
status=${PIPESTATUS[0]}
node --test --test-concurrency=1 --test-timeout=300000 --test-reporter=spec out/test/integration/outages.test.js 2>&1 | tee -a test-results/unit-integration.log
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1

echo "== network scenarios (firewalls and NAT in network namespaces; needs root)"
node --test --test-concurrency=1 --test-timeout=300000 --test-reporter=spec out/test/scenarios/ 2>&1 | tee test-results/scenarios.log
scenario_status=${PIPESTATUS[0]}

echo "== extension-host scenarios (the extension in code-server inside network namespaces; needs root)"
node out/test/vscode/scenarios/run.js 2>&1 | tee test-results/extension-host-scenarios.log
ext_scenarios_status=${PIPESTATUS[0]}

if [ -f test-results/interop-matrix.md ]; then
  echo
  cat test-results/interop-matrix.md
fi
# What failed, with the assertion's first lines, where a reader of the run's last lines sees it.
failures() { # $1 = log, $2 = what the layer's failures look like, $3 = lines after each (default 6)
  [ -f "$1" ] && grep -E -A"${3:-6}" "$2" "$1" | head -60
}
[ $vscode_status -eq 0 ] || { echo "The extension-host suite FAILED (exit $vscode_status):"; failures test-results/extension-host.log '^ *[0-9]+\) '; }
[ $e2e_status -eq 0 ] || { echo "The browser end-to-end run FAILED (exit $e2e_status):"; failures test-results/e2e.log 'FAILED at step' 40; }
[ $status -eq 0 ] || { echo "The unit, fuzz or integration tests FAILED (exit $status):"; failures test-results/unit-integration.log '^ *✖'; }
[ $scenario_status -eq 0 ] || { echo "The network scenarios FAILED (exit $scenario_status):"; failures test-results/scenarios.log '^ *✖'; }
[ $ext_scenarios_status -eq 0 ] || { echo "The extension-host scenarios FAILED (exit $ext_scenarios_status):"; failures test-results/extension-host-scenarios.log '^ *[0-9]+\) '; }
[ $status -eq 0 ] && [ $vscode_status -eq 0 ] && [ $e2e_status -eq 0 ] && [ $scenario_status -eq 0 ] && [ $ext_scenarios_status -eq 0 ]
