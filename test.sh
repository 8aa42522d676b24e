#!/usr/bin/env bash
# Builds StockGod and runs every test against real PostgreSQL and Redis (started as throwaway local servers,
# or the ones named by STOCKGOD_TEST_POSTGRES / STOCKGOD_TEST_REDIS). Fails first on committed secrets or
# known-vulnerable packages (eng/check-repository.sh).
set -euo pipefail
cd "$(dirname "$0")"
eng/prerequisites.sh
eng/check-repository.sh
dotnet build StockGod.sln -c Release
dotnet test --solution StockGod.sln -c Release --no-build "$@"
