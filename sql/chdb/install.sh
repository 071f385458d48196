#!/usr/bin/env bash
# Installs chDB — ClickHouse 26.x as an embedded engine (npm package `chdb`, which brings
# `@chdb/lib-linux-x64-gnu` with libchdb.so) — once per machine, for the ClickHouse 26.x test
# stage of the sql module (see sql/README.md, "Two stages: ClickHouse 18.16 and ClickHouse 26.x").
#
#   sql/chdb/install.sh          # idempotent: does nothing when the right version is there
#
# Where: ${MEMFLEET_CHDB_HOME:-$HOME/.cache/memfleet/chdb}/<version>. The library is ~550 MB, so it
# lives outside the checkout: CI clones the project fresh for every run, and a per-machine cache
# under the user's home is what survives between runs. It comes from the npm registry only
# (`npm install`); there is no other download. Needs node >= 18 and npm on the PATH.
set -euo pipefail

VERSION="${MEMFLEET_CHDB_VERSION:-3.4.0}"
HOME_DIR="${MEMFLEET_CHDB_HOME:-$HOME/.cache/memfleet/chdb}"
TARGET="$HOME_DIR/$VERSION"
LIB="$TARGET/node_modules/@chdb/lib-linux-x64-gnu/libchdb.so"
PKG="$TARGET/node_modules/chdb/package.json"

say() { printf 'memfleet chdb: %s\n' "$*" >&2; }

installed() {
  [[ -f "$LIB" && -f "$PKG" ]] && grep -q "\"version\": \"$VERSION\"" "$PKG"
}

if installed; then
  exit 0
fi
for tool in node npm; do
  command -v "$tool" >/dev/null || {
    say "$tool is required to install chDB $VERSION (the ClickHouse 26.x test stage)"
    exit 1
  }
done

mkdir -p "$HOME_DIR"
# one installer at a time per machine; a second one waits and then finds it installed
exec 9>"$HOME_DIR/.install.lock"
flock 9
if installed; then
  exit 0
fi
say "installing chDB $VERSION into $TARGET (once per machine, ~550 MB from the npm registry)..."
STAGING="$(mktemp -d "$HOME_DIR/.staging.XXXXXX")"
trap 'rm -rf "$STAGING"' EXIT
echo '{"name":"memfleet-chdb","private":true}' >"$STAGING/package.json"
(cd "$STAGING" && npm install --no-audit --no-fund --no-progress --loglevel=error "chdb@$VERSION")
[[ -f "$STAGING/node_modules/@chdb/lib-linux-x64-gnu/libchdb.so" ]] || {
  say "npm installed chdb@$VERSION but not @chdb/lib-linux-x64-gnu (is this linux-x64 glibc?)"
  exit 1
}
# the engine must start and report its version before the install counts
REPORTED="$(cd "$STAGING" && node -e '
  const { query } = require("chdb");
  process.stdout.write(query("SELECT version()", "TabSeparated").trim());')"
say "chDB $VERSION runs ClickHouse $REPORTED"
chmod 755 "$STAGING"
rm -rf "$TARGET"
mv "$STAGING" "$TARGET"
trap - EXIT
