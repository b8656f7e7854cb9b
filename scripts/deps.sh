#!/bin/sh
# Installs the Debian packages patrol needs that are not installed yet.
set -eu

arch=$(dpkg --print-architecture 2>/dev/null || echo amd64)
if [ "$arch" = amd64 ]; then hs=libhyperscan-dev; else hs=libvectorscan-dev; fi

want="gcc make pkg-config perl libcurl4-openssl-dev libxml2-dev $hs liblua5.4-dev
libpq-dev postgresql nginx-light libutf8proc-dev libuchardet-dev zlib1g-dev
libssl-dev libidn2-dev libpsl-dev libmicrohttpd-dev libsodium-dev iproute2 util-linux time curl
python3 gzip"

missing=""
for p in $want; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

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
