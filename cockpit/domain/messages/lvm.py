"""LVM (0516) messages a migration meets: the clone's volume group and logical volumes, the target disk."""

from __future__ import annotations

from cockpit.domain.messages.model import Entry, Step, value_pattern

_SPACE_STEPS = (
    Step("client", "lsvg rootvg"),
    Step("client", "lspv"),
    Step("client", "bootinfo -s <hdisk>"),
)

ENTRIES: tuple[Entry, ...] = (
    Entry(
        code="0516-082",
        text="0516-082 /usr/sbin/lchangelv: Unable to access a special device file",
        text_status="exact",
        severity="fatal",
        meaning=(
            "Ghost device: a stale device in the client's ODM holds the major number the clone needs "
            "(ALT_MAJOR_NUM), so renaming the logical volumes in nimadm phase 11 (alt_disk_copy -P3) fails. "
            "The same symptom is reported for viosupgrade."
        ),
        fix=(
            "On the client: read ALT_MAJOR_NUM (alt_disk_copy -d <hdisk> -DV, run only to print it), confirm "
            "with lvlstmajor (listed there = confirmed), remove the /dev special files and the CuDvDr entries "
            "with that major number, check, savebase; then nimadm -C on the master and run again. Editing the "
            "ODM is risky: save it first, or ask IBM support."
        ),
        steps=(
            Step("client", "alt_disk_copy -d <hdisk> -DV"),
            Step("client", "lvlstmajor"),
            Step("client", "cd /dev; ls -al | grep <major>,"),
            Step("client", "rm <files>"),
            Step("client", "odmget -q value1=<major> CuDvDr"),
            Step("client", "odmdelete -q value1=<major> -o CuDvDr"),
            Step("client", "odmget -q value1=<major> CuDvDr"),
            Step("client", "savebase"),
            Step("master", "nimadm -C -c <client> -s <spot>"),
        ),
        sources=("qiita-nimadm",),
    ),
    Entry(
        code="0516-404",
        text=(
            "0516-404 allocp: This system cannot fulfill the allocation request.\n"
            "\tThere are not enough free partitions or not enough physical volumes \n"
            "\tto keep strictness and satisfy allocation requests.  The command\n"
            "\tshould be retried with different allocation characteristics."
        ),
        text_status="exact",
        severity="fatal",
        meaning=(
            "LVM could not allocate a logical volume: not enough free partitions (or disks, for a mirrored "
            "layout) in the volume group. During alt_disk_copy / nimadm phase 1 ('Creating logical volume "
            "alt_...') it means the target disk is too small for rootvg's used space, or a mirrored rootvg was "
            "cloned onto a single disk. Older AIX levels word it 'Not enough resources available to fulfill "
            "allocation'."
        ),
        fix=(
            "Compare rootvg's USED PPs with the target disk's size; pick a larger disk (or one disk per "
            'mirror copy: alt_disk_copy -d "hdiskA hdiskB"), or shrink rootvg\'s file systems. Remove the '
            "partial altinst_rootvg (alt_rootvg_op -X) before retrying."
        ),
        steps=(*_SPACE_STEPS, Step("client", "alt_rootvg_op -X altinst_rootvg")),
        sources=("ans-issue-278", "ibm-install-msgs"),
    ),
    Entry(
        code="0516-788",
        text="0516-788: extendlv: Unable to extend logical volume",
        text_status="exact",
        severity="fatal",
        meaning="A logical volume (or its file system) could not grow: the volume group is out of free partitions.",
        fix="Free or add space in the volume group (lsvg shows FREE PPs), then retry the step that extended it.",
        steps=(Step("host", "lsvg <vg>"),),
        sources=("ibm-install-msgs",),
    ),
    Entry(
        code="0516-320",
        text="0516-320 /usr/sbin/getlvodm: Physical volume <pv> is not assigned to\n\ta volume group.",
        text_status="exact",
        severity="info",
        meaning="The disk belongs to no volume group: it is free, which is what a migration target disk must be.",
        fix="",
        steps=(),
        sources=("ans-validate-pv", "ans-select-disk"),
        when=(
            "Benign on a free disk (IBM's own nimadm role reads it as 'available'). An error only where the "
            "disk was expected to hold a volume group: check the disk name."
        ),
        values=value_pattern(r"0516-320 \S*getlvodm: Physical volume (?P<pv>\S+) is not assigned"),
    ),
    Entry(
        code="0516-1396",
        text="0516-1396 ...",
        text_status="partial",
        severity="info",
        meaning="IBM's target-disk selection treats it, like 0516-320, as 'this disk is free' (text not published).",
        fix="",
        steps=(),
        sources=("ans-select-disk",),
        when="Benign when probing a disk meant to be free; look at the disk if it should belong to a volume group.",
    ),
    Entry(
        code="0516-010",
        text="0516-010 <command>: Volume group must be varied on; use varyonvg command.",
        text_status="exact",
        severity="error",
        meaning=(
            "The command needs the volume group online. altinst_rootvg and old_rootvg are left varied off on "
            "purpose: for them, use alt_rootvg_op -W (wake-up) instead of varyonvg."
        ),
        fix="For a data volume group: varyonvg <vg>. For altinst_rootvg / old_rootvg: alt_rootvg_op -W -d <hdisk>.",
        steps=(Step("host", "lsvg -o"), Step("host", "varyonvg <vg>")),
        sources=("ans-lvm-facts", "ibm-alt-rootvg-op"),
        when="Expected for altinst_rootvg and old_rootvg, which stay varied off; an error for a data volume group.",
    ),
    Entry(
        code="0516-306",
        text="0516-306 <command>: Unable to find volume group <vg> in the Device Configuration Database.",
        text_status="exact",
        severity="error",
        meaning=(
            "The volume group (or, worded the same, the physical or logical volume) named is not defined in "
            "the ODM on this host: a typo, a disk not configured (cfgmgr), or a volume group not imported."
        ),
        fix="Check the name with lspv / lsvg; configure new disks with cfgmgr; import a volume group with importvg.",
        steps=(Step("host", "lspv"), Step("host", "lsvg"), Step("host", "cfgmgr")),
        sources=("ans-lvg", "ans-issue-768"),
        values=value_pattern(
            r"0516-306 \S+: Unable to find (?:volume group|physical volume|logical volume) (?P<name>\S+) in"
        ),
    ),
    Entry(
        code="0516-321",
        text="0516-321 mkvg: Physical volume <pv> is not configured.",
        text_status="exact",
        severity="error",
        meaning="mkvg was given a name that is not a configured disk (in IBM's example, a volume group name).",
        fix="Give hdisk names that lspv lists; run cfgmgr for a newly mapped disk.",
        steps=(Step("host", "lspv"), Step("host", "cfgmgr")),
        sources=("ans-lvg",),
    ),
    Entry(
        code="0516-862",
        text="0516-862 mkvg: Unable to create volume group.",
        text_status="exact",
        severity="fatal",
        meaning="mkvg failed; the real cause is in the 0516 message printed before it.",
        fix="Fix the error printed before this line.",
        steps=(),
        sources=("ans-lvg",),
        wrapper=True,
    ),
    Entry(
        code="0516-1616",
        text="0516-1616 chvg: This operation is only valid for scalable volume groups.",
        text_status="exact",
        severity="error",
        meaning="A scalable-only chvg option (-M and others) was used on an original or big volume group.",
        fix="Leave the option out for this volume group, or convert it to scalable (chvg -G, with it varied off).",
        steps=(Step("host", "lsvg <vg>"),),
        sources=("ans-issue-131",),
    ),
    Entry(
        code="0516-732",
        text="0516-732 chvg: Unable to change volume group <vg>.",
        text_status="exact",
        severity="error",
        meaning="chvg failed; the cause is the 0516 message before it.",
        fix="Fix the error printed before this line.",
        steps=(),
        sources=("ans-issue-131",),
        wrapper=True,
        values=value_pattern(r"0516-732 chvg: Unable to change volume group (?P<vg>[^\s.]+)"),
    ),
    Entry(
        code="0516-1782",
        text="0516-1782 reducevg: Physical volume <pv> is not part of volume group <vg>.",
        text_status="exact",
        severity="error",
        meaning="reducevg was given a disk that is not in that volume group (for example a rootvg disk).",
        fix="Check which volume group the disk belongs to (lspv) before removing it.",
        steps=(Step("host", "lspv"),),
        sources=("ansible-pr-30381",),
        values=value_pattern(r"0516-1782 reducevg: Physical volume (?P<pv>\S+) is not part of volume group"),
    ),
    Entry(
        code="0516-884",
        text="0516-884 reducevg: Unable to remove physical volume <pv>.",
        text_status="exact",
        severity="error",
        meaning="reducevg failed; the cause is the 0516 message before it.",
        fix="Fix the error printed before this line.",
        steps=(),
        sources=("ansible-pr-30381",),
        wrapper=True,
    ),
)
