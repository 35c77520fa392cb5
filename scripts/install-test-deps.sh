#!/usr/bin/env bash
# System packages the test suites need (Debian/Ubuntu). Idempotent: a package is installed only when
# the command it provides is missing, and `apt-get update` runs at most once.
# Add a dependency with one more `need <command> <debian-package>` line at the bottom.
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then exec sudo -E "$0" "$@"; fi
  echo "install-test-deps: run as root (or with sudo)" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
updated=0
need() {
  local cmd="$1" pkg="$2"
  if command -v "$cmd" >/dev/null 2>&1; then
    echo "install-test-deps: $cmd present, $pkg skipped"
    return
  fi
  if [ "$updated" -eq 0 ]; then
    apt-get update -q
    updated=1
  fi
  apt-get install -y -q --no-install-recommends "$pkg"
}

# Virtuoso: the external SPARQL 1.1 server of test/knowledge-graph (started by the tests themselves).
need virtuoso-t virtuoso-opensource
# Chromium: renders Swagger UI in test/foundation/swagger.e2e-spec.ts (headless, Debian's build).
need chromium chromium
# kubectl (with its built-in Kustomize): renders deploy/kubernetes in test/deploy. Only where missing:
# these machines carry kubectl 1.32 / Kustomize 5.5, and Debian's build is older.
need kubectl kubernetes-client
# nginx: the load balancer in front of three instances in test/scale (started by the test itself, in
# the foreground with its own config; on a host with systemd the package also starts its default site).
need nginx nginx
