#!/usr/bin/env bash
# Makes sure a PostgreSQL server is installed for the integration tests, which start their own
# throw-away cluster from /usr/lib/postgresql/*/bin (see tests/support/postgres.py).
#
# Idempotent and quiet: nothing happens when a server is already there. When one is missing it
# is installed from Debian with apt-get, only as root; otherwise a message says what to do and
# the script succeeds anyway (the tests then skip, except in CI where they fail).
set -euo pipefail

installed() {
  local pg_ctl
  for pg_ctl in /usr/lib/postgresql/*/bin/pg_ctl; do
    [ -x "$pg_ctl" ] && return 0
  done
  return 1
}

installed && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "PostgreSQL n'est pas installé : les tests d'intégration PostgreSQL seront ignorés." >&2
  echo "Pour l'installer : sudo apt-get install postgresql (ou relancez en root)." >&2
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "PostgreSQL n'est pas installé et apt-get est introuvable (système non Debian) :" >&2
  echo "installez le serveur PostgreSQL avec le gestionnaire de paquets du système." >&2
  exit 0
fi

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
apt_install() {
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >>"$log" 2>&1
}
echo "Installation de PostgreSQL (paquets Debian) pour les tests d'intégration…" >&2
if ! apt-get update -q >>"$log" 2>&1 ||
  ! apt_install postgresql-common ||
  # The tests bring their own cluster: no "main" cluster, hence no service left on port 5432.
  ! sed -i 's/^#\?\s*create_main_cluster\s*=.*/create_main_cluster = false/' \
    /etc/postgresql-common/createcluster.conf ||
  ! apt_install postgresql; then
  cat "$log" >&2
  echo "Échec de l'installation de PostgreSQL (journal ci-dessus)." >&2
  exit 1
fi
installed || {
  echo "PostgreSQL installé, mais pg_ctl est introuvable sous /usr/lib/postgresql/*/bin." >&2
  exit 1
}
