#!/usr/bin/env bash
# Usage: ensure-apt.sh COMMAND PACKAGE — install a Debian package when COMMAND is missing.
# The browser tests drive Debian's chromium headless (we never download a browser build of our own);
# the benchmark's REST load uses wrk; the observability tests start Debian's prometheus.
set -euo pipefail
command="$1" package="$2"
if command -v "$command" >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
  echo "$command is missing: install Debian's '$package' package (apt-get install $package)" >&2
  exit 1
fi
echo "installing $package (Debian package) ..."
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" >/dev/null
