#!/usr/bin/env bash
# Install everything the build and the test suites need: Debian packages, then
# the npm packages pinned in package-lock.json. Idempotent; does nothing slow
# when all is already in place.
set -euo pipefail

cd "$(dirname "$0")/.."

PACKAGES=(
    build-essential cmake pkg-config
    libmicrohttpd-dev libjansson-dev libsqlite3-dev libpq-dev libsodium-dev
    libssl-dev libcmocka-dev libqrencode-dev libpng-dev zlib1g-dev
    libcairo2-dev fonts-dejavu-core libzip-dev libxml2-dev libxlsxwriter-dev libcurl4-openssl-dev
    clang libclang-rt-14-dev
    postgresql postgresql-client sqlite3
    wrk nginx-light
    chromium fonts-liberation zbar-tools ffmpeg poppler-utils unzip faketime
    libnet-smpp-perl python3-aiosmtpd openssl
    baresip-core espeak-ng
)
# Node.js may come from elsewhere (a newer build already on PATH); only fall
# back to Debian's when there is none.
if ! command -v node >/dev/null 2>&1; then
    PACKAGES+=(nodejs)
fi
if ! command -v npm >/dev/null 2>&1; then
    PACKAGES+=(npm)
fi

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        echo "deps: need root (or sudo) to run: $*" >&2
        exit 1
    fi
}

# A package counts as present only when dpkg says it is fully installed
# ("ii"); dpkg-query -W alone also lists known-but-removed packages.
missing=()
for pkg in "${PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null || true)
    case "$status" in
    ii*) ;;
    *) missing+=("$pkg") ;;
    esac
done

if [ "${#missing[@]}" -gt 0 ]; then
    echo "deps: installing ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
    echo "deps: installing npm packages (npm ci)"
    npm ci --no-audit --no-fund
    touch node_modules
fi

echo "deps: ok"
