#!/usr/bin/env bash
# Packs the client library (AuthServer.Client: .nupkg + .snupkg, net8.0 and net10.0) into a local NuGet
# feed, by default ./artifacts/feed. An app then installs it with:
#   dotnet add package AuthServer.Client --source <feed>
# Usage: scripts/pack-client.sh [feed-directory]
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
FEED=${1:-"$REPO/artifacts/feed"}
mkdir -p "$FEED"
FEED=$(cd "$FEED" && pwd)

dotnet pack "$REPO/src/AuthClient/AuthClient.csproj" -c Release -o "$FEED" -v quiet -nologo

VERSION=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$REPO/src/AuthClient/AuthClient.csproj")
echo "pack-client.sh: AuthServer.Client $VERSION in $FEED"
echo "Install it in an app with:"
echo "  dotnet add package AuthServer.Client --version $VERSION --source $FEED"
