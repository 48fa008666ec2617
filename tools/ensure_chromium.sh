#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed for the browser tests (tests/e2e), which Playwright
# drives at /usr/bin/chromium: Playwright's own browser downloads are not used.
#
# Idempotent and quiet: nothing happens when Chromium is already there. When it is missing it
# is installed from Debian with apt-get, only as root; otherwise a message says what to do and
# the script succeeds anyway (the tests then skip, except in CI where they fail).
set -euo pipefail

CHROMIUM=/usr/bin/chromium

[ -x "$CHROMIUM" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "Chromium n'est pas installé : les tests de bout en bout dans le navigateur seront ignorés." >&2
  echo "Pour l'installer : sudo apt-get install chromium (ou relancez en root)." >&2
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "Chromium n'est pas installé et apt-get est introuvable (système non Debian) :" >&2
  echo "installez Chromium avec le gestionnaire de paquets du système ($CHROMIUM attendu)." >&2
  exit 0
fi

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
# fonts-liberation is only recommended, but without a font the screenshots show empty boxes.
echo "Installation de Chromium (paquet Debian) pour les tests de bout en bout…" >&2
if ! apt-get update -q >>"$log" 2>&1 ||
  ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium \
    fonts-liberation >>"$log" 2>&1; then
  cat "$log" >&2
  echo "Échec de l'installation de Chromium (journal ci-dessus)." >&2
  exit 1
fi
[ -x "$CHROMIUM" ] || {
  echo "Chromium installé, mais $CHROMIUM est introuvable." >&2
  exit 1
}
