#!/usr/bin/env bash
# Re-fetch the parts of the DSFR (Système de design de l'État) that the portal serves, with npm.
#
# Only what the pages use is copied into egide/web/static/dsfr/: the minified style sheet, the
# Marianne and Spectral fonts (woff2 only: every supported browser reads it), the icons the style
# sheet itself refers to, and the favicon. No JavaScript: the pages work without it, and the
# Content-Security-Policy forbids inline scripts anyway.
#
# Usage: tools/vendor_dsfr.sh [VERSION]   (default: the version pinned below)
set -euo pipefail

VERSION="${1:-1.15.3}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TARGET="$ROOT/egide/web/static/dsfr"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

(cd "$WORK" && npm pack --silent "@gouvfr/dsfr@$VERSION" >/dev/null)
tar -xzf "$WORK"/gouvfr-dsfr-*.tgz -C "$WORK"
DIST="$WORK/package/dist"

rm -rf "$TARGET"
mkdir -p "$TARGET/fonts" "$TARGET/favicon"
cp "$DIST/dsfr.min.css" "$TARGET/"
cp "$DIST"/fonts/*.woff2 "$TARGET/fonts/"
cp "$DIST/favicon/favicon.svg" "$DIST/favicon/favicon.ico" "$TARGET/favicon/"
cp "$WORK/package/LICENSE.md" "$TARGET/LICENSE.md"

# The icons the style sheet refers to (alerts, links, buttons…), and nothing else.
grep -o 'url(icons/[^)]*)' "$DIST/dsfr.min.css" | sed -e 's/^url(//' -e 's/)$//' | sort -u |
  while read -r icon; do
    mkdir -p "$TARGET/$(dirname "$icon")"
    cp "$DIST/$icon" "$TARGET/$icon"
  done

cat > "$TARGET/NOTICE" <<NOTICE
Système de design de l'État (DSFR), version $VERSION — https://github.com/GouvernementFR/dsfr
Paquet npm : @gouvfr/dsfr@$VERSION (fichiers de dist/ seulement, copiés par tools/vendor_dsfr.sh).

Licence : Licence Ouverte / Etalab 2.0 (LICENSE.md). Source : Service d'information du
Gouvernement (SIG). Son usage est encadré par les modalités d'utilisation du DSFR : marqueur de
l'identité visuelle de l'État, il est réservé aux sites de l'administration, et la police
Marianne aux sites de l'État. Égide l'emploie comme portail interne d'un ministère.
NOTICE

du -sh "$TARGET"
