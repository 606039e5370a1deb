#!/usr/bin/env bash
# Builds kube-apiserver (and, when asked, etcd) from Go modules into a cache
# outside the repository, keyed by version, so a fresh clone reuses it.
#
#   devenv/env/build-kube-binaries.sh <dest-dir> <k8s-version> [<etcd-version>]
#
# k8s.io/kubernetes cannot be required as-is: its go.mod replaces every
# k8s.io/* staging module with ./staging/src/..., which does not exist in the
# module zip. We read those replace lines and point each staging module at the
# matching published v0.x release instead.
set -euo pipefail

dest=$1
k8s_version=$2          # e.g. v1.34.4; empty: do not build kube-apiserver
etcd_version=${3:-}     # e.g. v3.6.5; empty: do not build etcd
staging_version="v0.${k8s_version#v1.}"

command -v go >/dev/null || { echo "build-kube-binaries: Go is not on PATH" >&2; exit 3; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$dest"

log() { printf '[envtest-build %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

if [[ -n $k8s_version && ! -x $dest/kube-apiserver ]]; then
  log "kube-apiserver $k8s_version: resolving k8s.io/kubernetes go.mod"
  gomod=$(cd "$work" && go mod download -json "k8s.io/kubernetes@$k8s_version" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  staging=$(sed -n 's#^[[:space:]]*\(k8s\.io/[a-z0-9-]*\) => \./staging/.*#\1#p' "$gomod" | sort -u)
  [[ -n $staging ]] || { echo "build-kube-binaries: no staging replace lines in $gomod" >&2; exit 4; }
  goversion=$(sed -n 's/^go \([0-9.]*\).*/\1/p' "$gomod")
  {
    echo "module flowshift.local/envtest-build"
    echo "go $goversion"
    echo "require k8s.io/kubernetes $k8s_version"
    for m in $staging; do echo "replace $m => $m $staging_version"; done
  } > "$work/go.mod"
  printf "//go:build tools\n\npackage tools\n\nimport _ \"k8s.io/kubernetes/cmd/kube-apiserver\"\n" > "$work/tools.go"
  log "kube-apiserver: downloading modules ($(wc -w <<<"$staging") staging modules at $staging_version)"
  (cd "$work" && GOFLAGS=-mod=mod go mod tidy >&2)
  log "kube-apiserver: compiling (a cold build takes several minutes on 2 cores)"
  (cd "$work" && CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$dest/kube-apiserver.tmp" k8s.io/kubernetes/cmd/kube-apiserver)
  mv "$dest/kube-apiserver.tmp" "$dest/kube-apiserver"
  log "kube-apiserver: done"
fi

if [[ -n $etcd_version && ! -x $dest/etcd ]]; then
  log "etcd $etcd_version: building go.etcd.io/etcd/server/v3"
  rm -rf "$work/etcd" && mkdir -p "$work/etcd"
  (cd "$work/etcd" && go mod init flowshift.local/etcd-build >/dev/null 2>&1 \
    && printf "//go:build tools\n\npackage tools\n\nimport _ \"go.etcd.io/etcd/server/v3\"\n" > tools.go \
    && GOFLAGS=-mod=mod go get "go.etcd.io/etcd/server/v3@$etcd_version" >&2 \
    && CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$dest/etcd.tmp" go.etcd.io/etcd/server/v3)
  mv "$dest/etcd.tmp" "$dest/etcd"
  log "etcd: done"
fi
