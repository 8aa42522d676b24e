#!/usr/bin/env bash
# Runs StockGod: the AppHost starts PostgreSQL, Redis, MarketData, Api and Scheduler on the embedded defaults.
# Extra arguments go to the AppHost (for example --fresh, or --publisher manifest --output-path aspire-manifest.json).
set -euo pipefail
cd "$(dirname "$0")"
eng/prerequisites.sh
exec dotnet run --project StockGod.AppHost -c Release -- "$@"
