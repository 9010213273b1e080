#!/usr/bin/env bash
# Make this machine ready for the whole test suite; `make test` and `.ci/run` both run it.
#
# The suite needs Debian's `chromium` on PATH (browser tests) and PostgreSQL answering on
# 127.0.0.1:5432 to user `postgres` without a password (the storage tests). This script
# installs what is missing with apt-get (as root), starts a PostgreSQL cluster that is down,
# trusts 127.0.0.1 for a cluster it installed, and otherwise stops with a message saying
# exactly what to do: it never lets the suite start without them (the tests would fail, not
# skip). Idempotent; when everything is already there it only checks (a few milliseconds).
#
# Environment (for this script's own tests; the suite itself always uses 5432):
#   PORUCH_SETUP_PG_PORT   port of the PostgreSQL to check and start (default 5432)
#   PORUCH_SETUP_PG_ETC    Debian's PostgreSQL configuration folder (default /etc/postgresql)
set -euo pipefail

PG_HOST=127.0.0.1
PG_PORT=${PORUCH_SETUP_PG_PORT:-5432}
PG_ETC=${PORUCH_SETUP_PG_ETC:-/etc/postgresql}
TRUST_LINE="host all all 127.0.0.1/32 trust"

say() { echo "== setup: $*"; }
fail() { echo "FATAL (test machine set-up): $*" >&2; exit 1; }
is_root() { [ "$(id -u)" = 0 ]; }

apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then
    apt-get update -qq || fail "apt-get update failed (no network to the Debian mirror?)"
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
}

pg_up() { command -v pg_isready >/dev/null 2>&1 && pg_isready -h "$PG_HOST" -p "$PG_PORT" -q; }

# "<version> <name>" of the Debian cluster configured on PG_PORT, if any.
cluster_on_port() {
  command -v pg_lsclusters >/dev/null 2>&1 || return 0
  local ver name port _rest
  while read -r ver name port _rest; do
    if [ "$port" = "$PG_PORT" ]; then echo "$ver $name"; return 0; fi
  done < <(pg_lsclusters -h 2>/dev/null)
}

# Trust local TCP for user postgres, as on the project machines (only for a cluster that
# this script installed: an existing cluster's authentication is its owner's decision).
trust_localhost() {
  local hba="$PG_ETC/$1/$2/pg_hba.conf"
  [ -f "$hba" ] || fail "no $hba to configure"
  if ! grep -qxF "$TRUST_LINE" "$hba"; then
    sed -i "1i $TRUST_LINE" "$hba"
  fi
}

# --- Chromium ------------------------------------------------------------------------------
if ! command -v chromium >/dev/null 2>&1; then
  is_root || fail "chromium is not installed (the browser tests need Debian's chromium).
  Install it as root:  apt-get update && apt-get install -y chromium
  or run this set-up as root:  sudo make test"
  say "installing Debian's chromium"
  apt_install chromium || fail "apt-get could not install chromium"
  command -v chromium >/dev/null 2>&1 || fail "chromium was installed but is not on PATH"
fi

# --- PostgreSQL ----------------------------------------------------------------------------
if ! pg_up; then
  cluster=$(cluster_on_port)
  if [ -z "$cluster" ]; then
    is_root || fail "PostgreSQL is not running on $PG_HOST:$PG_PORT and no cluster is set up.
  Install it as root:  apt-get update && apt-get install -y postgresql
  then allow 'postgres' over TCP without a password: add the line
    $TRUST_LINE
  at the top of /etc/postgresql/<version>/main/pg_hba.conf and restart PostgreSQL
  (or run this set-up as root:  sudo make test)"
    say "installing PostgreSQL"
    apt_install postgresql || fail "apt-get could not install PostgreSQL"
    cluster=$(cluster_on_port)
    [ -n "$cluster" ] || fail "PostgreSQL was installed but no cluster listens on port $PG_PORT"
    # shellcheck disable=SC2086  # "<version> <name>" splits into the two arguments
    trust_localhost $cluster
    if pg_up; then  # the package started it already: read the new line
      # shellcheck disable=SC2086
      pg_ctlcluster --skip-systemctl-redirect $cluster reload || fail "could not reload $cluster"
    fi
  fi
  if ! pg_up; then
    is_root || fail "PostgreSQL (cluster $cluster) is not running on $PG_HOST:$PG_PORT.
  Start it as root:  pg_ctlcluster $cluster start"
    say "starting PostgreSQL (cluster $cluster)"
    # shellcheck disable=SC2086
    pg_ctlcluster --skip-systemctl-redirect $cluster start \
      || pg_ctlcluster --skip-systemctl-redirect $cluster restart \
      || fail "pg_ctlcluster could not start cluster $cluster (see its log in /var/log/postgresql)"
  fi
  for ((i = 0; i < 30; i++)); do pg_up && break; sleep 1; done
  pg_up || fail "PostgreSQL is not answering on $PG_HOST:$PG_PORT after 30 s"
fi

# The suite connects as postgres without a password: say so now rather than in 200 errors.
if command -v psql >/dev/null 2>&1; then
  psql -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres -w -qAt -c "SELECT 1" >/dev/null 2>&1 \
    || fail "PostgreSQL on $PG_HOST:$PG_PORT refuses user postgres without a password.
  Add the line  $TRUST_LINE  at the top of its pg_hba.conf and reload it."
fi
