#!/bin/sh
# Post an alert of the Migration Cockpit to a webhook (a chat's incoming hook, an incident tool) as
# JSON with curl: a `notify:` command (README: Notifications).
#
#   notify:
#     - events: [failed, stalled, eta_past_window, cutoff_missed, finished]
#       command: [./notify/webhook.sh, /etc/cockpit/webhook.url]
#
# The argument is a file holding the hook's URL (mode 600: a hook URL is a secret). The alert comes
# in COCKPIT_* environment variables and is only ever data here:
#   - the JSON body is made by python3's json module from the environment (no value is pasted into
#     code or into a shell word) and reaches curl on its standard input;
#   - the URL reaches curl in a config read from a file descriptor, not on its command line, where
#     `ps` would show it to every user of the machine.
set -eu

url_file=${1:?usage: webhook.sh URL_FILE}
url=$(head -n 1 -- "$url_file")
case $url in
https://* | http://*) ;;
*) echo "webhook.sh: $url_file does not hold an http(s):// URL" >&2; exit 2 ;;
esac
case $url in
*[!A-Za-z0-9._~:/?#@!\$\&\'\(\)*+,\;=%-]*) echo "webhook.sh: unexpected characters in the URL" >&2; exit 2 ;;
esac

python3 -c '
import json, os
get = os.environ.get
print(json.dumps({
    "text": "cockpit: " + get("COCKPIT_SUMMARY", ""),
    "event": get("COCKPIT_EVENT", ""),
    "target": get("COCKPIT_TARGET", ""),
    "host": get("COCKPIT_HOST", ""),
    "detail": get("COCKPIT_DETAIL", ""),
    "time": get("COCKPIT_TIME", ""),
    "run": get("COCKPIT_RUN", ""),
    "runbook": get("COCKPIT_RUNBOOK", ""),
}))
' | curl --silent --show-error --fail --max-time 20 --header 'Content-Type: application/json' \
    --data-binary @- --config /dev/fd/3 3<<END_OF_CONFIG
url = "$url"
END_OF_CONFIG
