#!/usr/bin/env bash
# The long load run (docs/benchmarks.md, "Load harness (real processes)"): builds the load harness (which builds the
# AppHost and the services, Release), then runs MarketData, the Api and the Scheduler as child processes on throwaway
# PostgreSQL and Redis and drives each scenario for 60 s after a 5 s warm-up, 16 concurrent callers. Loopback only;
# it stops by itself (a few minutes in all) and leaves nothing running. The markdown report goes to stdout and to
# load-report.md (or --output <file>); the exit code is 1 when any request failed.
# Other arguments go to the harness, e.g.:  eng/load.sh --duration 30s --concurrency 32 --no-scheduler
set -euo pipefail
cd "$(dirname "$0")/.."
eng/prerequisites.sh
dotnet build tests/StockGod.LoadTests -c Release -nologo -clp:ErrorsOnly
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
exec dotnet tests/StockGod.LoadTests/bin/Release/net10.0/StockGod.LoadTests.dll --duration 60s --output load-report.md "$@"
