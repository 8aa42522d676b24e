#!/usr/bin/env bash
# Repository hygiene, run by ./test.sh (and so by CI) before the build:
#  1. no committed secrets in tracked files: Alpaca key ids (PK… paper, AK… live: 20 upper-case letters and digits),
#     Alpaca secrets or JWT signing keys written as configuration values, PEM private keys;
#  2. no known-vulnerable package: NuGet's audit (NuGetAuditMode=all in Directory.Build.props) fails the restore
#     whenever the package source publishes vulnerability data; this prints what the registry says either way.
# Usage: eng/check-repository.sh [repository] [--no-packages]
set -uo pipefail

repo=${1:-$(cd "$(dirname "$0")/.." && pwd)}
check_packages=true
[ "${2:-}" = "--no-packages" ] && check_packages=false
cd "$repo" || exit 2

patterns=(
  # An Alpaca key id.
  '\b[AP]K[A-Z0-9]{18}\b'
  # A secret or signing key given a literal value in JSON/YAML/INI configuration (placeholders such as "" or
  # "<secret>" and references like ${…} are allowed).
  '"?(SecretKey|SigningKey|ClientSecret|ApiSecret|APCA_API_SECRET_KEY|APCA-API-SECRET-KEY)"?[[:space:]]*[:=][[:space:]]*"?[A-Za-z0-9+/=_-]{16,}'
  # A PEM private key.
  '-----BEGIN ([A-Z]+ )?PRIVATE KEY-----'
)

found=0
for pattern in "${patterns[@]}"; do
  # Tracked files only; binary files are skipped (-I). This script names the patterns, so it is excluded.
  if matches=$(git grep -nIE -e "$pattern" -- . ':!eng/check-repository.sh' 2>/dev/null); then
    while IFS= read -r match; do
      # Show where, never the value itself.
      echo "committed secret? ${match%%:*}:$(cut -d: -f2 <<<"$match") matches /$pattern/" >&2
    done <<<"$matches"
    found=1
  fi
done

if [ "$found" -ne 0 ]; then
  echo "Secrets belong in configuration or user secrets, never in the repository (see README)." >&2
  exit 1
fi
echo "secrets: none found in $(git ls-files | wc -l) tracked files"

if $check_packages; then
  report=$(dotnet list StockGod.sln package --vulnerable --include-transitive 2>&1)
  if grep -q "has the following vulnerable packages" <<<"$report"; then
    echo "$report" >&2
    echo "Known-vulnerable packages: update them in Directory.Packages.props." >&2
    exit 1
  fi
  if grep -qiE "no vulnerability|not provide|unable to|error" <<<"$report"; then
    echo "packages: the package source publishes no vulnerability data; NuGet's audit runs whenever it does"
  else
    echo "packages: no known-vulnerable package"
  fi
fi
