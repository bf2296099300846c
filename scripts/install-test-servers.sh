#!/usr/bin/env bash
# Installs the real FTP servers the integration tests run on 127.0.0.1, and the independent clients
# that check their results. vsftpd, proftpd, pure-ftpd, inetutils-ftpd and ftpd-ssl (Debian's BSD
# ftpd) conflict in apt (each Provides ftp-server), so vsftpd is installed and the others are
# unpacked into .test-tools/pkgs without installing.
# Idempotent and quick when everything is there (no apt-get update then). Prints each server and
# tool with its version; exits non-zero naming what is missing. `--check`: install nothing; exit 1
# saying exactly what to run first when something is missing and can't be installed from here (not
# root, or no apt-get), so callers stop early.
set -uo pipefail
cd "$(dirname "$0")/.."
PKGS="$PWD/.test-tools/pkgs"

# Servers and clients, plus the shared libraries the unpacked proftpd/pure-ftpd link against
# (their own packages' dependencies, which apt never saw).
APT_PACKAGES=(vsftpd python3-pyftpdlib lftp curl openssl nftables iproute2 util-linux mount
  libhiredis0.14 libmemcached11 libmemcachedutil2 libsodium23 libidn2-0 libpcre2-posix3 libacl1 libcap2 libwrap0 libpam-modules
  libssl3 libsasl2-2 libpcre2-8-0 libpam-runtime libcrypt1)
UNPACKED=(proftpd-core proftpd-mod-crypto pure-ftpd pure-ftpd-common inetutils-ftpd ftpd-ssl)
# What the unpacked packages must have left behind.
UNPACKED_FILES=(usr/sbin/proftpd usr/lib/proftpd/mod_tls.so usr/sbin/pure-ftpd usr/bin/pure-pw usr/sbin/ftpd usr/sbin/in.ftpd)

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "ok installed"; }
unpacked_ok() { for f in "${UNPACKED_FILES[@]}"; do [ -e "$PKGS/$f" ] || return 1; done; }

missing_apt=()
for p in "${APT_PACKAGES[@]}"; do installed "$p" || missing_apt+=("$p"); done

if [ ${#missing_apt[@]} -gt 0 ] || ! unpacked_ok; then
  wanted="${missing_apt[*]} $(unpacked_ok || echo "${UNPACKED[*]}")"
  if ! command -v apt-get >/dev/null; then
    echo "The test servers need these Debian packages and this machine has no apt-get (proftpd and pure-ftpd are unpacked from Debian's .debs into .test-tools/pkgs): ${wanted}" >&2
    exit 1
  fi
  if [ "$(id -u)" != 0 ]; then
    echo "The test servers need root to install ${wanted}. Run first: sudo bash scripts/install-test-servers.sh" >&2
    exit 1
  fi
fi
[ "${1:-}" = --check ] && exit 0
if [ ${#missing_apt[@]} -gt 0 ] || ! unpacked_ok; then
  export DEBIAN_FRONTEND=noninteractive
  updated=no
  # Update the package lists only when they are absent or apt can't find something in them.
  apt_update() { [ "$updated" = yes ] && return 0; echo "apt-get update..."; apt-get update -qq && updated=yes; }
  compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null || apt_update
  if [ ${#missing_apt[@]} -gt 0 ]; then
    echo "apt-get install ${missing_apt[*]}"
    apt-get install -y -qq --no-install-recommends "${missing_apt[@]}" >/dev/null ||
      { apt_update && apt-get install -y -qq --no-install-recommends "${missing_apt[@]}" >/dev/null; }
  fi
  if ! unpacked_ok; then
    dl=$(mktemp -d)
    chown _apt "$dl" 2>/dev/null || chmod 777 "$dl" # apt's sandbox user _apt writes the downloads
    echo "apt-get download ${UNPACKED[*]} -> $PKGS"
    (cd "$dl" && { apt-get download "${UNPACKED[@]}" >/dev/null || { apt_update && apt-get download "${UNPACKED[@]}" >/dev/null; }; })
    mkdir -p "$PKGS"
    for d in "$dl"/*.deb; do [ -e "$d" ] && dpkg -x "$d" "$PKGS"; done
    rm -rf "$dl"
  fi
fi

# What is there, with versions. A binary that exists but can't load a library counts as missing.
status=0
missing=()
row() { printf '%-11s %s\n' "$1" "$2"; }
libs_missing() { ldd "$1" 2>/dev/null | awk '/not found/ {print $1}' | tr '\n' ' '; }
check_bin() { # name, binary, version command...
  local name=$1 bin=$2; shift 2
  if [ ! -f "$bin" ]; then row "$name" "MISSING ($bin)"; missing+=("$name"); status=1; return; fi
  local libs; libs=$(libs_missing "$bin")
  if [ -n "$libs" ]; then row "$name" "BROKEN: $bin needs $libs"; missing+=("$name (libraries: $libs)"); status=1; return; fi
  row "$name" "$("$@" 2>&1 | head -1)"
}
echo "Test servers and clients:"
check_bin vsftpd /usr/sbin/vsftpd dpkg-query -W -f='${Version}' vsftpd
check_bin proftpd "$PKGS/usr/sbin/proftpd" "$PKGS/usr/sbin/proftpd" -v
check_bin mod_tls "$PKGS/usr/lib/proftpd/mod_tls.so" echo "present (proftpd-mod-crypto)"
check_bin pure-ftpd "$PKGS/usr/sbin/pure-ftpd" "$PKGS/usr/sbin/pure-ftpd" --help
check_bin pure-pw "$PKGS/usr/bin/pure-pw" echo "present (pure-ftpd-common)"
check_bin inetutils "$PKGS/usr/sbin/ftpd" "$PKGS/usr/sbin/ftpd" --version
check_bin bsdftpd "$PKGS/usr/sbin/in.ftpd" sh -c "grep -aio 'linux-ftpd-[0-9.]*' '$PKGS/usr/sbin/in.ftpd' | head -1"
if /usr/bin/python3 -c 'import pyftpdlib' 2>/dev/null; then
  row pyftpdlib "$(/usr/bin/python3 -c 'import pyftpdlib; print(pyftpdlib.__ver__)')"
else row pyftpdlib "MISSING (python3-pyftpdlib)"; missing+=(pyftpdlib); status=1; fi
# ftp-srv comes with `npm ci` (devDependency); CI runs this script before npm ci, so no failure here.
if [ -f node_modules/ftp-srv/package.json ]; then row ftp-srv "$(node -p "require('./node_modules/ftp-srv/package.json').version" 2>/dev/null)"
else row ftp-srv "not yet installed (npm ci installs it)"; fi
check_bin lftp /usr/bin/lftp sh -c 'lftp --version | head -1 | grep -o "Version [0-9.]*"'
check_bin curl /usr/bin/curl sh -c 'curl --version | head -1 | cut -d" " -f1-2'
check_bin openssl /usr/bin/openssl openssl version
check_bin nft /usr/sbin/nft nft --version
check_bin ip /usr/sbin/ip sh -c 'ip -V'
check_bin unshare /usr/bin/unshare sh -c 'unshare --version'
if [ $status != 0 ]; then
  echo "Missing: ${missing[*]}. Run: sudo bash scripts/install-test-servers.sh" >&2
fi
exit $status
