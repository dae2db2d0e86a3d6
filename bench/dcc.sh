#!/usr/bin/env bash
# EU Digital COVID Certificates issued and verified per second, against
# OpenSSL's own ECDSA P-256 sign and verify rates measured in the same run.
#
# Issuing = CBOR claims + ES256 signature + zlib stream + base45 + "HC1:";
# verifying = the reverse with the signature check against a trust list.
# Both sides divide by CPU time (`openssl speed` does by default), so the
# ratios do not depend on other load.  The bar (issue 5): verify >= 0.8 and
# issue >= 0.5 of OpenSSL's rates.  Prints figures; never fails on them, fails
# when a certificate does not verify or a rate is missing.
#
#   bench/dcc.sh                 uses $BUILD/cordon (BUILD defaults to build-bench)
#   CORDON_BIN=... SECONDS_EACH=3 bench/dcc.sh
#   BENCH_SMOKE=1: one second each
set -euo pipefail

cd "$(dirname "$0")/.."
bin=${CORDON_BIN:-${BUILD:-build-bench}/cordon}
if [ "${BENCH_SMOKE:-0}" = 1 ]; then
    secs=${SECONDS_EACH:-1}
else
    secs=${SECONDS_EACH:-3}
fi

if [ ! -x "$bin" ]; then
    echo "bench/dcc.sh: $bin not found (run make bench)" >&2
    exit 1
fi
if ! command -v openssl >/dev/null; then
    echo "bench/dcc.sh: openssl not found" >&2
    exit 1
fi

ossl=$(openssl speed -seconds "$secs" ecdsap256 2>/dev/null | awk '/ecdsa \(nistp256\)/ { print $(NF-1), $NF }')
read -r ossl_sign ossl_verify <<<"$ossl"
ours=$("$bin" dcc bench --seconds "$secs")
issue=$(awk '$1 == "issue_per_s" { print $2 }' <<<"$ours")
verify=$(awk '$1 == "verify_per_s" { print $2 }' <<<"$ours")
len=$(awk '$1 == "hc1_length" { print $2 }' <<<"$ours")

for v in "$ossl_sign" "$ossl_verify" "$issue" "$verify" "$len"; do
    if ! awk -v v="$v" 'BEGIN { exit !(v + 0 > 0) }'; then
        echo "bench/dcc.sh: a rate is missing (openssl: '$ossl'; cordon: '$ours')" >&2
        exit 1
    fi
done

awk -v os="$ossl_sign" -v ov="$ossl_verify" -v is="$issue" -v vs="$verify" -v len="$len" -v secs="$secs" 'BEGIN {
    printf "openssl speed ecdsap256 (%ss):  sign %9.0f/s   verify %9.0f/s\n", secs, os, ov
    printf "cordon dcc (HC1, %d chars):    issue %9.0f/s   verify %9.0f/s\n", len, is, vs
    printf "ratio to OpenSSL:              issue %9.2f (bar 0.50 %s)   verify %6.2f (bar 0.80 %s)\n",
           is / os, (is / os >= 0.5 ? "met" : "NOT met"), vs / ov, (vs / ov >= 0.8 ? "met" : "NOT met")
}'
