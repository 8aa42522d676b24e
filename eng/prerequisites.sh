#!/usr/bin/env bash
# Installs what StockGod needs from Debian's packages when it is missing: the PostgreSQL server and Redis.
set -euo pipefail

missing=()
compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null || missing+=(postgresql)
command -v redis-server >/dev/null || missing+=(redis-server)
command -v setpriv >/dev/null || missing+=(util-linux)

if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing ${missing[*]} ..."
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # The packages' own services are not used: StockGod starts its servers as its own processes.
  for service in postgresql redis-server; do
    "${sudo_cmd[@]}" service "$service" stop >/dev/null 2>&1 || true
  done
fi

command -v dotnet >/dev/null || { echo "The .NET 10 SDK is required (dotnet not on PATH)." >&2; exit 1; }
