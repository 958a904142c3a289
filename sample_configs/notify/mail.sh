#!/bin/sh
# Mail an alert of the Migration Cockpit: a `notify:` command (README: Notifications).
#
#   notify:
#     - events: [failed, cutoff_missed, finished]
#       command: [./notify/mail.sh, oncall@example.com]
#
# The arguments are the addresses (from the config, never from the alert). The alert comes in
# COCKPIT_* environment variables and stays data: every value is written after a fixed label, in
# double quotes, and never read as code or as an option. The cockpit makes each value one line, and
# this script strips line breaks from the subject anyway (no header can be added through it). Uses
# mailx when there is one, else sendmail -t.
set -eu

[ "$#" -gt 0 ] || { echo "usage: mail.sh ADDRESS..." >&2; exit 2; }
for address in "$@"; do
    case $address in
    -* | *[!A-Za-z0-9._%+@-]*) echo "mail.sh: not a plain mail address: $address" >&2; exit 2 ;;
    esac
done

subject=$(printf 'cockpit: %s' "${COCKPIT_SUMMARY:-an alert}" | tr -d '\r\n' | cut -c1-200)

body() {
    # Each line starts with a label: no line of the body can begin with a mailx `~` escape.
    printf 'what:    %s\n' "${COCKPIT_SUMMARY:-}"
    printf 'event:   %s\n' "${COCKPIT_EVENT:-}"
    printf 'target:  %s\n' "${COCKPIT_TARGET:-}"
    printf 'host:    %s\n' "${COCKPIT_HOST:-}"
    printf 'phase:   %s/%s %s\n' "${COCKPIT_PHASE:-}" "${COCKPIT_PHASES:-}" "${COCKPIT_STEP:-}"
    printf 'detail:  %s\n' "${COCKPIT_DETAIL:-}"
    printf 'time:    %s\n' "${COCKPIT_TIME:-}"
    printf 'run:     %s (%s)\n' "${COCKPIT_RUN:-}" "${COCKPIT_RUNBOOK:-}"
    printf 'config:  %s\n' "${COCKPIT_CONFIG:-}"
    printf 'report:  cockpit report %s %s\n' "${COCKPIT_CONFIG:-CONFIG}" "${COCKPIT_RUN:-latest}"
}

if command -v mailx >/dev/null 2>&1; then
    body | mailx -s "$subject" -- "$@"
else
    to=$(printf '%s, ' "$@")
    {
        printf 'To: %s\n' "${to%, }"
        printf 'Subject: %s\n\n' "$subject"
        body
    } | sendmail -t -oi
fi
