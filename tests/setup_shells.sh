#!/bin/sh
# Make the AIX-like shells and tools available for the tests marked `realtools`: ksh93 (Debian
# package ksh), mksh (the pdksh line, the closest to AIX's ksh88 on Debian), busybox (tools without
# GNU's options) and shellcheck (every shell snippet the cockpit sends is checked in ksh mode).
# Where they cannot be installed those tests skip and say why.
missing=
command -v ksh93 >/dev/null 2>&1 || missing="$missing ksh"
command -v mksh >/dev/null 2>&1 || missing="$missing mksh"
command -v busybox >/dev/null 2>&1 || missing="$missing busybox"
command -v shellcheck >/dev/null 2>&1 || missing="$missing shellcheck"
if [ -z "$missing" ]; then
    exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing$missing for the shell and tool tests"
    # shellcheck disable=SC2086 # the package names are one word each, split on purpose
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing) >/tmp/cockpit-apt-shells.log 2>&1 \
        || echo "could not install$missing (see /tmp/cockpit-apt-shells.log); the realtools tests will skip"
else
    echo "not installed:$missing and not root with apt-get; the realtools tests will skip"
fi
exit 0
