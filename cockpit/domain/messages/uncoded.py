"""Lines without a message code that a nimadm run prints: known noise of good runs, and nimadm giving up."""

from __future__ import annotations

from cockpit.domain.messages.model import Entry, Step

_NOISE = "Printed in phase 5 of successful runs (the migration's configuration merge); not a failure."

ENTRIES: tuple[Entry, ...] = (
    Entry(
        code=None,
        text="Can not remove the glbd subsystem",
        text_status="exact",
        severity="warning",
        meaning=_NOISE,
        fix="Nothing to do.",
        steps=(),
        sources=("qiita-nimadm",),
        prefix="Can not remove the glbd subsystem",
    ),
    Entry(
        code=None,
        text='WARNING: rmitab failed! Unable to remove "<entry>" entry from /etc/inittab.',
        text_status="exact",
        severity="warning",
        meaning=_NOISE,
        fix="Nothing to do.",
        steps=(),
        sources=("qiita-nimadm",),
        prefix="WARNING: rmitab failed!",
    ),
    Entry(
        code=None,
        text="sum: Can't open <file>",
        text_status="exact",
        severity="warning",
        meaning=_NOISE,
        fix="Nothing to do.",
        steps=(),
        sources=("qiita-nimadm",),
        prefix="sum: Can't open ",
    ),
    Entry(
        code=None,
        text=(
            "installp has halted this operation because one or more files in the\n"
            "filesets listed above are registered as having an EFIX. You must remove\n"
            "these EFIXES before performing operations on the given fileset."
        ),
        text_status="exact",
        severity="fatal",
        meaning=(
            "Interim fixes (efixes) lock the filesets they patch; installp refuses to update them. A migration "
            "or update whose lpp_source does not carry every APAR of the installed ifixes stops here."
        ),
        fix=(
            "List the locks (emgr -P) and the ifixes (emgr -l); remove those the new level does not supersede "
            "automatically (emgr -r -L <label>), then run the update again."
        ),
        steps=(Step("host", "emgr -P"), Step("host", "emgr -l"), Step("host", "emgr -r -L <label>")),
        sources=("powercampus-ifix-update", "ibm-ifix-qa"),
        prefix="installp has halted this operation because one or more files in the",
    ),
)

# Not looked up by line: nimadm printing this before phase 12 means it gave up; `diagnose` decides.
ABORTED = Entry(
    code=None,
    text="Cleaning up alt_disk_migration on the NIM master.",
    text_status="exact",
    severity="fatal",
    meaning=(
        "nimadm gave up and cleaned up before phase 12, without a message code the cockpit knows; the cause "
        "is in the lines just above."
    ),
    fix=(
        "Read the lines before this one, nimadm's log on the master and the NIM log; on the client "
        "/var/adm/ras/alt_disk_inst.log and /var/adm/ras/nimsh.log."
    ),
    steps=(
        Step("master", "tail -100 /var/adm/ras/alt_mig/<client>_alt_mig.log"),
        Step("master", "alog -o -t nim | tail -100"),
    ),
    sources=("gibson-multibos", "rhdisk0-nimadm", "ibm-nimadm-qa"),
    prefix="Cleaning up alt_disk_migration on the NIM master.",
)
