#!/usr/bin/env bash
# Runs StockGod: the AppHost starts PostgreSQL, Redis, MarketData, Api and Scheduler on the embedded defaults,
# with the dashboard at http://localhost:18888. Ctrl+C stops everything.
# Extra arguments go to the AppHost, for example:
#   ./run.sh --fresh                                               wipe the local data (.stockgod/) first
#   ./run.sh --publisher manifest --output-path aspire-manifest.json   write the deployment manifest instead
set -euo pipefail
cd "$(dirname "$0")"
eng/prerequisites.sh
configuration="${CONFIGURATION:-Release}"
dotnet build StockGod.AppHost -c "$configuration" -nologo -clp:ErrorsOnly
# The AppHost runs as this shell's process (exec), so Ctrl+C and SIGTERM reach it directly and it stops its children.
export DOTNET_ENVIRONMENT="${DOTNET_ENVIRONMENT:-Development}"
exec dotnet "StockGod.AppHost/bin/$configuration/net10.0/StockGod.AppHost.dll" "$@"
