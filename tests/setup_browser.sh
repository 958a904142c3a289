#!/bin/sh
# Make Chromium available for the browser test (cockpit serve, loaded in headless Chromium driven by
# playwright, which downloads no browser of its own). Installs Debian's package where we can (root
# with apt-get); elsewhere the test skips and says why.
if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then
    exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing chromium for the browser test"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/tmp/cockpit-apt-browser.log 2>&1 \
        || echo "could not install chromium (see /tmp/cockpit-apt-browser.log); the browser test will skip"
else
    echo "chromium not installed and not root with apt-get; the browser test will skip"
fi
exit 0
