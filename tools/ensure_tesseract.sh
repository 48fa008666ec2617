#!/usr/bin/env bash
# Makes sure Debian's Tesseract OCR and its French data are installed: Égide reads scanned PDFs
# and photos of letters with them (egide/documents/ocr.py), and the OCR tests build their own
# scanned letter to read back.
#
# Idempotent and quiet: nothing happens when both are there. When one is missing it is
# installed from Debian with apt-get, only as root; otherwise a message says what to do and the
# script succeeds anyway (Égide then refuses scanned files with a French reason, and the OCR
# tests skip, except in CI where they fail).
set -euo pipefail

TESSERACT="$(command -v tesseract || true)"
if [ -n "$TESSERACT" ] && "$TESSERACT" --list-langs 2>/dev/null | grep -qx fra; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "Tesseract (reconnaissance de caractères) ou ses données françaises ne sont pas installés :" >&2
  echo "les PDF numérisés et les photos de courriers seront refusés, et leurs tests ignorés." >&2
  echo "Pour les installer : sudo apt-get install tesseract-ocr tesseract-ocr-fra (ou relancez en root)." >&2
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "Tesseract n'est pas installé et apt-get est introuvable (système non Debian) :" >&2
  echo "installez Tesseract 4 ou 5 et ses données françaises (« fra ») avec le gestionnaire de paquets du système." >&2
  exit 0
fi

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
echo "Installation de Tesseract et de ses données françaises (paquets Debian)…" >&2
if ! apt-get update -q -o DPkg::Lock::Timeout=600 >>"$log" 2>&1 ||
  ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=600 --no-install-recommends tesseract-ocr \
    tesseract-ocr-fra >>"$log" 2>&1; then
  cat "$log" >&2
  echo "Échec de l'installation de Tesseract (journal ci-dessus)." >&2
  exit 1
fi
tesseract --list-langs 2>/dev/null | grep -qx fra || {
  echo "Tesseract installé, mais la langue « fra » est introuvable." >&2
  exit 1
}
