#!/bin/sh
# Installs the Debian packages patrol needs that are not installed yet.
set -eu

arch=$(dpkg --print-architecture 2>/dev/null || echo amd64)
if [ "$arch" = amd64 ]; then hs=libhyperscan-dev; else hs=libvectorscan-dev; fi

want="gcc make pkg-config perl libcurl4-openssl-dev libxml2-dev $hs liblua5.4-dev
libpq-dev postgresql nginx-light libutf8proc-dev libuchardet-dev zlib1g-dev
libssl-dev libidn2-dev libpsl-dev libmicrohttpd-dev libsodium-dev libpcre2-dev iproute2 util-linux time curl
python3 gzip chromium fonts-ipafont-gothic"
# node and npm for the console's browser test; any install of them will do
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || want="$want nodejs npm"

missing=""
for p in $want; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "patrol: installing:$missing"
	SUDO=""
	if [ "$(id -u)" != 0 ]; then
		command -v sudo >/dev/null 2>&1 || { echo "patrol: need root or sudo to install:$missing" >&2; exit 1; }
		SUDO=sudo
	fi
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq
	# postgresql's and nginx's packages start a system service: not wanted here.
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
		$SUDO chmod 755 /usr/sbin/policy-rc.d
		trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
	fi
	$SUDO apt-get install -y -qq --no-install-recommends $missing
fi

# playwright-core for the browser test, as locked in tests/browser (it
# drives Debian's chromium and never downloads a browser of its own)
browser=$(dirname "$0")/../tests/browser
if [ ! -d "$browser/node_modules/playwright-core" ] && command -v npm >/dev/null 2>&1; then
	echo "patrol: installing playwright-core into tests/browser"
	(cd "$browser" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --silent) ||
		echo "patrol: cannot install playwright-core; the browser test will be skipped" >&2
fi
exit 0
