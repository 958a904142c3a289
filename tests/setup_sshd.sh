#!/bin/sh
# Make OpenSSH's sshd available for the end-to-end test. The test itself starts and stops a private
# sshd on 127.0.0.1; this only installs the package. Where it cannot be installed the test skips
# and says why.
if [ -x /usr/sbin/sshd ]; then
    exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing openssh-server for the end-to-end test"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssh-server) >/tmp/cockpit-apt.log 2>&1 \
        || echo "could not install openssh-server (see /tmp/cockpit-apt.log); the sshd test will skip"
else
    echo "sshd not installed and not root with apt-get; the sshd end-to-end test will skip"
fi
exit 0
