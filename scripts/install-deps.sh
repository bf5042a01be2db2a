#!/bin/bash
# Installs what domscan needs to build and to run its test network, from Debian 12 packages.
# Run as root. Package installs must not start the distribution's own NSD, Unbound, Postfix
# or nginx on this machine (they would hold the test network's ports): a policy-rc.d that
# forbids service starts is put in place for the install when none exists.
set -euo pipefail
pkgs=(
	# build
	build-essential meson ninja-build pkg-config clang clang-format
	libldns-dev libssl-dev libcurl4-openssl-dev libcsv-dev libpsl-dev libidn2-dev
	libjansson-dev libcmocka-dev publicsuffix dns-root-data
	# test network and test tools
	nsd unbound postfix ldnsutils bind9-dnsutils iproute2 procps gnutls-bin nginx-light
	openssl python3 python3-yaml curl bc
	# the browser tests of the HTML report (tests/integration/test_browser.sh, test_i18n.sh)
	chromium
)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi
echo "install-deps: installing ${missing[*]}" >&2
made_policy=0
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
	chmod +x /usr/sbin/policy-rc.d
	made_policy=1
fi
trap '[ $made_policy = 1 ] && rm -f /usr/sbin/policy-rc.d' EXIT
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=600 update -q >/dev/null
apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${missing[@]}" >/dev/null
