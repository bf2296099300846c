#!/bin/sh
# An executable for runTests({ vscodeExecutablePath }): see code-server-launcher.mjs.
exec node "$(dirname "$0")/code-server-launcher.mjs" "$@"
