# Shared by scripts/run.sh and scripts/test.sh: install Debian packages and
# check Node. Sourced, not run.

# Runs a command as root: directly when we are root (CI), through sudo otherwise.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Installs the Debian packages named in "$@" that are not installed yet.
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "==> apt-get install ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}

# Makes sure Node >= 20.19 is present (Vite 8's floor); installs Debian's if none.
require_node() {
  command -v node >/dev/null 2>&1 || apt_install nodejs npm
  if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)'; then
    echo "hailong needs Node.js >= 20.19; this machine has $(node --version)." >&2
    echo "Debian 13 ships it (apt-get install nodejs npm); on Debian 12 use the NodeSource or nvm build." >&2
    exit 1
  fi
}
