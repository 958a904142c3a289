"""The simulator's own messages: what `cockpit sim` prints where no public source gives AIX's real text.

Each such line ends with `(simulated)` on the simulated host, and only a line carrying that marker
matches these entries: a real host printing the same code is never explained with the simulator's
words. Where a real message is known, the simulator prints that one instead (0505-126 for a target disk
in a volume group, 0516-404 for a target disk too small for rootvg, 0516-306 for a missing disk).
"""

from __future__ import annotations

from cockpit.domain.messages.model import Entry, Step

MARKER = "(simulated)"

_MEANING = "The cockpit simulator's own message (no real AIX text for this case is known to the cockpit): "


def _sim(code: str, text: str, meaning: str, fix: str, *steps: Step, severity: str = "fatal") -> Entry:
    assert severity in ("fatal", "error")
    return Entry(
        code=code,
        text=f"{text} {MARKER}",
        text_status="simulated",
        severity="fatal" if severity == "fatal" else "error",
        meaning=_MEANING + meaning,
        fix=fix,
        steps=steps,
        sources=(),
    )


_CLEAN_ALT = Step("client", "alt_rootvg_op -X altinst_rootvg")

ENTRIES: tuple[Entry, ...] = (
    _sim(
        "0505-101",
        "0505-101 nimadm: Invalid phase <n>. A phase is a number from 1 to 12.",
        "nimadm -P was given something other than a phase number 1-12.",
        "Give -P a phase from 1 to 12.",
    ),
    _sim(
        "0505-120",
        "0505-120 nimadm: Target disk <hdisk> was not found on client <client>.",
        "the target disk given to nimadm -d does not exist on the client.",
        "Check the disk name on the client (lspv) and run again.",
        Step("client", "lspv"),
    ),
    _sim(
        "0505-122",
        "0505-122 nimadm: Volume group <vg> exists on client <client> (<hdisk>): remove it first (alt_rootvg_op -X).",
        "an altinst_rootvg or old_rootvg left by an earlier run is on the client.",
        "Remove it (alt_rootvg_op -X) if it is no longer needed, or nimadm -C after a failed run.",
        _CLEAN_ALT,
        Step("master", "nimadm -C -c <client> -s <spot>"),
    ),
    _sim(
        "0505-197",
        "0505-197 nimadm: An alt_disk_migration operation is already running for client <client>.",
        "a nimadm for this client is already running on the master.",
        "Wait for it, or find it (ps -ef | grep nimadm) and stop it before starting another.",
        Step("master", "ps -ef | grep nimadm"),
    ),
    _sim(
        "0505-198",
        "0505-198 nimadm: Phase <n> cannot run for client <client>: phase <n-1> has not completed ...",
        "nimadm -P <n> was asked before the phase before it completed.",
        "Run the phases in order (or the whole migration without -P).",
    ),
    _sim(
        "0505-124",
        "0505-124 alt_disk_copy: Target disk <hdisk> does not exist.",
        "the target disk given to alt_disk_copy -d does not exist.",
        "Check the disk name (lspv).",
        Step("client", "lspv"),
    ),
    _sim(
        "0505-127",
        "0505-127 alt_disk_copy: The altinst_rootvg volume group already exists. Remove it with alt_rootvg_op -X.",
        "an altinst_rootvg from an earlier clone is still defined.",
        "Remove it with alt_rootvg_op -X if it is no longer needed.",
        _CLEAN_ALT,
    ),
    _sim(
        "0505-128",
        "0505-128 alt_disk_copy: Phase <n> needs the altinst_rootvg that phase 1 left on <hdisk>.",
        "alt_disk_copy -P 2 or 3 was run without the altinst_rootvg that phase 1 creates.",
        "Run phase 1 first (or all phases).",
    ),
    _sim(
        "0505-130",
        "0505-130 <command>: The running rootvg cannot be removed.",
        "alt_rootvg_op -X was pointed at the running rootvg.",
        "Name altinst_rootvg or old_rootvg.",
        severity="error",
    ),
    _sim(
        "0505-131",
        "0505-131 <command>: <vg> is not an alternate rootvg.",
        "alt_rootvg_op -X was pointed at a volume group that is not a copy of rootvg.",
        "Name altinst_rootvg or old_rootvg.",
        severity="error",
    ),
    _sim(
        "0505-132",
        "0505-132 alt_rootvg_op: <hdisk> is in no volume group.",
        "alt_rootvg_op -q was given a disk that holds no volume group.",
        "Check the disk name (lspv).",
        severity="error",
    ),
    _sim(
        "0505-102",
        "0505-102 alt_disk_mksysb: Unable to access the mksysb image <file>.",
        "the mksysb image given to alt_disk_mksysb -m cannot be read.",
        "Check the path and its NFS mount.",
    ),
    _sim(
        "0505-103",
        "0505-103 alt_disk_mksysb: <file> is not a valid mksysb image.",
        "the file given to alt_disk_mksysb -m is not a mksysb image.",
        "Check the file (lsmksysb -lf <file>).",
    ),
    _sim(
        "0505-187",
        "0505-187 alt_disk_mksysb: Error restoring altinst_rootvg.",
        "alt_disk_mksysb failed; the cause is printed before it. (Real AIX prints 0505-187 from nimadm as "
        "'Error cloning altinst_rootvg on client.'.)",
        "Fix the error printed before this line.",
    ),
    _sim(
        "0503-005",
        "0503-005 installp: The device or directory <dir> could not be accessed.",
        "the install images given to alt_disk_copy -l are not there.",
        "Check the images directory (and its NFS mount).",
    ),
    _sim(
        "0512-008",
        "0512-008 savevg: The savevg command failed for volume group <vg>.",
        "savevg could not back up the volume group (not found, or not varied on).",
        "Check the volume group (lsvg -o) and run savevg again.",
        Step("host", "lsvg -o"),
    ),
    _sim(
        "0512-0051",
        "0512-0051 restvg: Cannot open <file>: No such file or directory.",
        "the savevg image given to restvg does not exist.",
        "Check the path of the image.",
    ),
    _sim(
        "0512-0052",
        "0512-0052 restvg: <file> is not a savevg image.",
        "the file given to restvg is not a savevg image.",
        "Check the file (restvg -l -f <file>).",
    ),
    _sim(
        "0516-1132",
        "0516-1132 <command>: Physical volume <pv> belongs to volume group <vg>.",
        "the disk named is in use by a volume group.",
        "Pick a free disk (lspv shows None in the volume group column).",
        Step("host", "lspv"),
        severity="error",
    ),
    _sim(
        "0518-506",
        "0518-506 <command>: Cannot open class <class>.",
        "the simulator only knows the CuDvDr object class.",
        "Nothing to fix on a real host; the simulator does not model this class.",
        severity="error",
    ),
)
