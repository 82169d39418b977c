#!/usr/bin/env bash
# Writes a local config from an example whose secrets are `change-me-…` placeholders, each replaced
# by 32 fresh random hex characters. The gateway refuses to start on the placeholders, so a fresh
# checkout gets working secrets of its own without editing anything. An existing file is kept.
#   scripts/local-config.sh EXAMPLE OUT
set -euo pipefail
example="$1"
out="$2"
if [[ -e "$out" ]]; then
  exit 0
fi
mkdir -p "$(dirname "$out")"
umask 077 # the file holds secrets
tmp="$(mktemp "$out.XXXXXX")"
perl -pe 'BEGIN { open(R, "<", "/dev/urandom") or die "no /dev/urandom: $!" }
          s{change-me-[A-Za-z0-9-]*}{ read(R, my $b, 16) == 16 or die; unpack("H*", $b) }ge' "$example" >"$tmp"
mv "$tmp" "$out"
echo "course-gateway: wrote $out with fresh random secrets (admin_token, exam_secret, website.api_keys, inbound.kannel.key); read them there" >&2
