#!/usr/bin/env bash
# Regenerates the compiled EF Core model (src/AuthServer.Data/CompiledModel) after an entity or configuration
# change, next to `dotnet ef migrations add`. The server runs on it: no model building at start (about half a
# second) and less memory. A test (Compiled_model_matches_the_model_built_from_the_configuration) fails when it is stale.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
dotnet tool restore >/dev/null
rm -rf src/AuthServer.Data/CompiledModel
dotnet ef dbcontext optimize --project src/AuthServer.Data --startup-project migrations \
  --output-dir CompiledModel --namespace AuthServer.Data.CompiledModel
