#!/usr/bin/env bash
# Installs the real FTP servers the integration tests run on 127.0.0.1, and the independent clients
# that check their results. vsftpd, proftpd and pure-ftpd conflict in apt (each Provides ftp-server),
# so vsftpd is installed and the other two are unpacked into .test-tools/pkgs without installing.
# Idempotent; quick when everything is there. Exits non-zero naming what is missing.
set -uo pipefail
cd "$(dirname "$0")/.."
PKGS="$PWD/.test-tools/pkgs"

APT_PACKAGES=(vsftpd python3-pyftpdlib lftp curl openssl nftables iproute2
  libhiredis0.14 libmemcached11 libmemcachedutil2 libsodium23 libidn2-0 libpcre2-posix3 libacl1 libcap2 libwrap0 libpam-modules)
UNPACKED=(proftpd-core proftpd-mod-crypto pure-ftpd pure-ftpd-common)

missing_apt=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing_apt+=("$p")
done

if [ ${#missing_apt[@]} -gt 0 ] || [ ! -x "$PKGS/usr/sbin/proftpd" ] || [ ! -x "$PKGS/usr/sbin/pure-ftpd" ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "install-test-servers: needs root to install: ${missing_apt[*]} ${UNPACKED[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  if [ ${#missing_apt[@]} -gt 0 ]; then
    apt-get install -y -qq --no-install-recommends "${missing_apt[@]}" >/dev/null
  fi
  if [ ! -x "$PKGS/usr/sbin/proftpd" ] || [ ! -x "$PKGS/usr/sbin/pure-ftpd" ]; then
    dl=$(mktemp -d)
    chmod 755 "$dl" # apt's _apt user downloads into it
    (cd "$dl" && apt-get download "${UNPACKED[@]}" >/dev/null)
    mkdir -p "$PKGS"
    for d in "$dl"/*.deb; do dpkg -x "$d" "$PKGS"; done
    rm -rf "$dl"
  fi
fi

# What is there, with versions.
status=0
row() { printf '%-10s %s\n' "$1" "$2"; }
echo "Test servers and clients:"
[ -x /usr/sbin/vsftpd ] && row vsftpd "$(dpkg-query -W -f='${Version}' vsftpd)" || { row vsftpd MISSING; status=1; }
if [ -x "$PKGS/usr/sbin/proftpd" ]; then row proftpd "$("$PKGS/usr/sbin/proftpd" -v 2>&1 | head -1)"; else row proftpd MISSING; status=1; fi
if [ -x "$PKGS/usr/sbin/pure-ftpd" ]; then row pure-ftpd "$("$PKGS/usr/sbin/pure-ftpd" --help 2>&1 | head -1)"; else row pure-ftpd MISSING; status=1; fi
if /usr/bin/python3 -c 'import pyftpdlib' 2>/dev/null; then row pyftpdlib "$(/usr/bin/python3 -c 'import pyftpdlib; print(pyftpdlib.__ver__)')"; else row pyftpdlib MISSING; status=1; fi
if [ -f node_modules/ftp-srv/package.json ]; then row ftp-srv "$(node -p "require('./node_modules/ftp-srv/package.json').version")"; else row ftp-srv "not yet (npm ci installs it)"; fi
command -v lftp >/dev/null && row lftp "$(lftp --version | head -1)" || { row lftp MISSING; status=1; }
command -v curl >/dev/null && row curl "$(curl --version | head -1 | cut -d' ' -f1-2)" || { row curl MISSING; status=1; }
exit $status
