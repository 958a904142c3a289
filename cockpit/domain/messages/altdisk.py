"""nimadm and alt_disk (0505), multibos (0565), backup (0511) and mksysb / savevg (0512) messages."""

from __future__ import annotations

from cockpit.domain.messages.model import Entry, Step, value_pattern

_ALT_DISK_FILESET_FIX = (
    "Install bos.alt_disk_install.rte into the SPOT from the lpp_source; keep the master's rootvg, the "
    "lpp_source and the SPOT at the same level of that fileset (the lpp_source must not be above the master "
    "and the SPOT). Then run nimadm again."
)
_ALT_DISK_FILESET_STEPS = (
    Step("master", "lslpp -lcq bos.alt_disk_install.rte"),
    Step("master", "nim -o showres -a lslpp_flags=Lc <spot> | grep bos.alt_disk_install.rte"),
    Step("master", "nim -o cust -a lpp_source=<lpp> -a filesets=bos.alt_disk_install.rte <spot>"),
)
_TARGET_DISK_STEPS = (
    Step("client", "lspv"),
    Step("client", "lsvg rootvg"),
    Step("client", "bootinfo -s <hdisk>"),
)

ENTRIES: tuple[Entry, ...] = (
    Entry(
        code="0505-161",
        text="0505-161 nimadm: WARNING, client nfs mounts may be out of sync.",
        text_status="exact",
        severity="warning",
        meaning="Printed at the start of phases 5 and 6 of successful runs; not a failure by itself.",
        fix="Nothing to do. If a later phase fails, check NFS between the master and the client.",
        steps=(),
        sources=("qiita-nimadm",),
    ),
    Entry(
        code="0505-158",
        text="0505-158 nimadm: WARNING, unexpected result from the /alt_inst/tmp/i...",
        text_status="partial",
        severity="error",
        meaning=(
            "Remote execution between the NIM master and the client (rsh or nimsh) returned something "
            "unexpected; in the run this was reported from, the migration failed."
        ),
        fix=(
            "Fix name resolution both ways (master <-> client) and check that remote execution works. Or "
            "switch the client to connect=shell (rsh): change the NIM object, set NIM_SHELL=shell in the "
            "client's /etc/niminfo and enable rshd."
        ),
        steps=(
            Step("master", "/usr/lpp/bos.sysmgt/nim/methods/c_rsh <client> /usr/bin/hostname"),
            Step("master", "nim -o change -a connect=shell -a cpuid= <client>"),
            Step("client", "chsubserver -a -v shell -p tcp -r inetd"),
        ),
        sources=("rhdisk0-nimadm",),
    ),
    Entry(
        code="0505-187",
        text="0505-187 nimadm: Error cloning altinst_rootvg on client.",
        text_status="exact",
        severity="fatal",
        meaning=(
            "alt_disk_copy failed on the client (phase 1 or 11). nimadm then cleans up the master and the "
            "client by itself and points the bootlist back at the ORIGINAL disk: a 'Bootlist is set' line "
            "after this is that rollback, not success."
        ),
        fix=(
            "Fix the cause printed just before this line (listed first when the cockpit knows it); the "
            "client's /var/adm/ras/alt_disk_inst.log has the alt_disk_copy steps. Check the target disk and "
            "the bootlist on the client. Run nimadm -C only if the automatic cleanup did not finish."
        ),
        steps=(
            Step("client", "tail -50 /var/adm/ras/alt_disk_inst.log"),
            Step("client", "lspv"),
            Step("client", "bootlist -m normal -o"),
            Step("master", "nimadm -C -c <client> -s <spot>"),
        ),
        sources=("gibson-multibos", "ibm-nimadm-qa"),
        wrapper=True,
    ),
    Entry(
        code="0505-204",
        text="0505-204 nimadm: SPOT <spot> does not have bos.alt_disk_install.rte installed.",
        text_status="exact",
        severity="fatal",
        meaning="Pre-check: the SPOT lacks bos.alt_disk_install.rte; nimadm stops before phase 1.",
        fix=_ALT_DISK_FILESET_FIX,
        steps=_ALT_DISK_FILESET_STEPS,
        sources=("qiita-nimadm", "ibm-adm-prep"),
        values=value_pattern(r"0505-204 nimadm: SPOT (?P<spot>\S+) does not have"),
    ),
    Entry(
        code="0505-205",
        text=(
            "0505-205 nimadm: The level of bos.alt_disk_install.rte installed in SPOT\n"
            "<spot> (<level>) does not match the NIM master's level (<level>)."
        ),
        text_status="exact",
        severity="fatal",
        meaning=(
            "Pre-check: the level of bos.alt_disk_install.rte in the SPOT differs from the NIM master's; "
            "(0.0.0.0) means it is not installed in the SPOT at all. nimadm stops before phase 1."
        ),
        fix=_ALT_DISK_FILESET_FIX,
        steps=_ALT_DISK_FILESET_STEPS,
        sources=("qiita-nimadm", "ibm-adm-prep"),
    ),
    Entry(
        code="0505-218",
        text="alt_disk_copy: 0505-218 ATTENTION: init_multibos() returned an unexpected result.",
        text_status="exact",
        severity="fatal",
        meaning=(
            "The client's rootvg holds a multibos standby BOS instance (bos_hd5 and other bos_ LVs); nimadm "
            "does not support it. alt_disk_copy fails (phase 11 of nimadm, which then reports 0505-187)."
        ),
        fix=(
            "Remove the standby BOS instance on the client (multibos -R), check that no bos_ LV is left, then "
            "run nimadm again (the failed run cleaned up by itself)."
        ),
        steps=(
            Step("client", "lsvg -l rootvg | grep bos_"),
            Step("client", "multibos -R"),
        ),
        sources=("gibson-multibos",),
    ),
    Entry(
        code="0505-126",
        text="0505-126 alt_disk_install- target disk <hdisk> has a volume group assigned to it.",
        text_status="exact",
        severity="fatal",
        meaning=(
            "The target disk already belongs to a volume group (an old altinst_rootvg or old_rootvg, or data): "
            "alt_disk_copy / nimadm refuses to overwrite it. The text is as NIM relays it in the client's info."
        ),
        fix=(
            "Pick a free disk, or clear this one if what is on it is no longer needed: alt_rootvg_op -X for an "
            "old alternate rootvg, then chpv -C to clear the disk's VG ownership."
        ),
        steps=(
            Step("client", "lspv"),
            Step("client", "alt_rootvg_op -X altinst_rootvg"),
            Step("client", "chpv -C <hdisk>"),
        ),
        sources=("ans-vios-alt-disk", "ibm-alt-rootvg-op"),
        values=value_pattern(r"0505-126 alt_disk_install- target disk (?P<hdisk>\S+) has"),
    ),
    # --- multibos (0565) and backup (0511): a standby BOS or a copy that did not finish --------------
    Entry(
        code="0565-035",
        text="multibos: 0565-035 Error setting up standby BOS.",
        text_status="exact",
        severity="fatal",
        meaning="multibos could not create the standby BOS instance; it removes what it created.",
        fix="Fix the error printed before this line (space in rootvg, a backup error), then run multibos again.",
        steps=(Step("host", "tail -50 /etc/multibos/logs/op.alog"), Step("host", "lsvg rootvg")),
        sources=("ibm-apar-iv88407",),
        wrapper=True,
    ),
    Entry(
        code="0565-020",
        text="multibos: 0565-020 An error occurred copying BOS files.",
        text_status="exact",
        severity="fatal",
        meaning="Copying the BOS file systems into the standby instance failed (backup/restore reported errors).",
        fix=(
            "Read the backup/restore messages above it. A file that vanished during the copy is not critical "
            "(IBM APAR IV88407 stopped that case from failing multibos); otherwise free space and retry."
        ),
        steps=(Step("host", "tail -50 /etc/multibos/logs/op.alog"),),
        sources=("ibm-apar-iv88407",),
    ),
    Entry(
        code="0565-022",
        text=(
            "multibos: 0565-022 ATTENTION: Errors were encountered copying files.\n"
            "Please see messages from backup/restore above for more details."
        ),
        text_status="exact",
        severity="error",
        meaning="backup/restore reported errors while multibos copied the BOS files.",
        fix="Read the backup/restore lines above; install the fix for APAR IV88407 where files merely vanished.",
        steps=(),
        sources=("ibm-apar-iv88407",),
    ),
    Entry(
        code="0511-449",
        text="backup: 0511-449 An error occurred accessing <file>.",
        text_status="partial",
        severity="error",
        meaning=(
            "backup (used by mksysb, multibos and alt_disk copies) could not read a file, typically one that "
            "was removed while it ran. A non-critical error, but it made older multibos levels fail."
        ),
        fix="Stop what writes temporary files in rootvg during the copy, or exclude them, then run it again.",
        steps=(),
        sources=("ibm-apar-iv88407",),
    ),
    # --- mksysb / savevg (0512) -----------------------------------------------------------------------
    Entry(
        code="0512-054",
        text="0512-054 listvgbackup: File <file> does not exist or is empty.",
        text_status="exact",
        severity="error",
        meaning="The backup image named (a mksysb or savevg file) is missing or empty.",
        fix="Check the path; create the backup first (mksysb -i <file> for rootvg, savevg -f <file> <vg>).",
        steps=(Step("host", "ls -l <file>"),),
        sources=("ans-backup",),
        values=value_pattern(r"0512-054 listvgbackup: File (?P<file>\S+) does not exist"),
    ),
    Entry(
        code="0512-005",
        text="0512-005 mksysb: problems in making system backup",
        text_status="partial",
        severity="fatal",
        meaning=(
            "mksysb failed (the report it comes from: the tape ran out). No usable backup of rootvg exists: "
            "do not start a migration without one."
        ),
        fix="Read the messages before it (media full, a file system not mounted); fix that and take the backup again.",
        steps=(Step("host", "lsvg -l rootvg"), Step("host", "df -m")),
        sources=("ibm-g5146l",),
    ),
    Entry(
        code="0511-171",
        text="0511-171 tar: reached end of media",
        text_status="exact",
        severity="fatal",
        meaning="The backup ran out of tape (the report it comes from: a mksysb to a tape too small for rootvg).",
        fix="Use larger media or a file (mksysb -i /path/file), or exclude what need not be in the backup.",
        steps=(Step("host", "lsvg rootvg"),),
        sources=("ibm-g5146l",),
    ),
)
