"""Known AIX messages around nimadm / alt_disk: verbatim text, meaning, fix, severity, source.

Data, not code branches: `diagnose` and the live `NimadmTracker` read these tables. Every fact comes
from reference/REFERENCE.md 1.3-1.8, 2.x, 3.x and FAILURES.md; source tags are theirs, and anything a
source did not state is marked (INFERRED) in the text an operator reads.

`text` is the message as a source printed it, with `<name>` where a value varies and `...` where the
source cut it off; a second line in `text` is a continuation line AIX prints after it. `pattern`
matches the first line of `text`; its named groups that are also `CONTEXT` keys (`spot`, `client`)
fill the placeholders of the fix commands.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Severity = Literal["fatal", "error", "warning", "info"]
"""fatal: the run failed; error: a known problem with a fix, not by itself the end of the run;
warning: seen in good runs; info: not a problem (never reported)."""

Host = Literal["master", "client"]

CODE = re.compile(r"\b(0\d{3}-\d{3,4})\b")
"""An AIX message code: 4-digit component, dash, 3 (sometimes 4, e.g. 0516-1396) digits."""


@dataclass(frozen=True)
class Step:
    """One command of a fix, and where it runs."""

    on: Host
    command: str


@dataclass(frozen=True)
class Entry:
    code: str | None
    """None for the known lines that carry no code (phase-5 noise)."""
    text: str
    pattern: re.Pattern[str]
    severity: Severity
    meaning: str
    fix: str
    steps: tuple[Step, ...]
    source: str
    failure: str | None = None
    """The FAILURES.md id (F1..F23) this message is the symptom of."""
    wrapper: bool = False
    """A generic line printed after the real cause (0505-187, 0042-001): listed after root causes."""

    @property
    def fatal(self) -> bool:
        return self.severity == "fatal"

    @property
    def continuation(self) -> int:
        """How many lines AIX prints after the coded line as part of the same message."""
        return self.text.count("\n")


_ALT_DISK_FILESET_FIX = (
    "Install bos.alt_disk_install.rte into the SPOT from the lpp_source; keep the master's rootvg, the "
    "lpp_source and the SPOT at the same level of that fileset (the lpp_source must not be above the "
    "master and SPOT). Then rerun nimadm."
)
_ALT_DISK_FILESET_STEPS = (
    Step("master", "lslpp -lcq bos.alt_disk_install.rte"),
    Step("master", "nim -o showres -a lslpp_flags=Lc <spot> | grep bos.alt_disk_install.rte"),
    Step("master", "nim -o cust -a lpp_source=<lpp> -a filesets=bos.alt_disk_install.rte <spot>"),
)

ENTRIES: tuple[Entry, ...] = (
    # --- nimadm / alt_disk (0505) ------------------------------------------------------------------
    Entry(
        code="0505-161",
        text="0505-161 nimadm: WARNING, client nfs mounts may be out of sync.",
        pattern=re.compile(r"0505-161 nimadm: WARNING, client nfs mounts may be out of sync\."),
        severity="warning",
        meaning="Printed at the start of phases 5 and 6 of a successful run; not a failure.",
        fix="Nothing to do. If a later phase fails, check NFS on the master and the client (INFERRED).",
        steps=(),
        source="[S3]",
        failure="F7",
    ),
    Entry(
        code="0505-158",
        text="0505-158 nimadm: WARNING, unexpected result from the /alt_inst/tmp/i...",
        pattern=re.compile(r"0505-158 nimadm: WARNING, unexpected result from the "),
        severity="error",
        meaning=(
            "Remote execution between the NIM master and the client (rsh or nimsh) returned something "
            "unexpected; in the run this was seen in, the migration failed."
        ),
        fix=(
            "Fix name resolution both ways (master <-> client) and check that remote execution works. "
            "Optionally switch the client to connect=shell (rsh): change the NIM object, set NIM_SHELL=shell "
            "in the client's /etc/niminfo and enable rshd."
        ),
        steps=(
            Step("master", "/usr/lpp/bos.sysmgt/nim/methods/c_rsh <client> /usr/bin/hostname"),
            Step("master", "nim -o change -a connect=shell -a cpuid= <client>"),
            Step("client", "chsubserver -a -v shell -p tcp -r inetd"),
        ),
        source="[RHDISK0], [ANS]",
        failure="F3",
    ),
    Entry(
        code="0505-187",
        text="0505-187 nimadm: Error cloning altinst_rootvg on client.",
        pattern=re.compile(r"0505-187 nimadm: Error cloning altinst_rootvg on client\."),
        severity="fatal",
        meaning=(
            "alt_disk_copy failed on the client (phase 1 or 11). nimadm then cleans up the master and the "
            "client by itself and points the bootlist back at the ORIGINAL disk: a 'Bootlist is set' line "
            "after this is that rollback, not success."
        ),
        fix=(
            "Fix the cause printed just before this line (listed above when it is a known message); the "
            "client's /var/adm/ras/alt_disk_inst.log has the alt_disk_copy steps. Check the target disk "
            "and the bootlist on the client. Run nimadm -C only if the automatic cleanup did not finish."
        ),
        steps=(
            Step("client", "lspv"),
            Step("client", "bootlist -m normal -o"),
            Step("master", "nimadm -C -c <client> -s <spot>"),
        ),
        source="[GIBSON], [XCAT]",
        failure="F9/F10",
        wrapper=True,
    ),
    Entry(
        code="0505-204",
        text="0505-204 nimadm: SPOT <spot> does not have bos.alt_disk_install.rte installed.",
        pattern=re.compile(r"0505-204 nimadm: SPOT (?P<spot>\S+) does not have bos\.alt_disk_install\.rte installed\."),
        severity="fatal",
        meaning="Pre-check: the SPOT lacks bos.alt_disk_install.rte; nimadm stops before phase 1.",
        fix=_ALT_DISK_FILESET_FIX,
        steps=_ALT_DISK_FILESET_STEPS,
        source="[S3], [ANS], [XCAT]",
        failure="F6",
    ),
    Entry(
        code="0505-205",
        text=(
            "0505-205 nimadm: The level of bos.alt_disk_install.rte installed in SPOT\n"
            "<spot> (<level>) does not match the NIM master's level (<level>)."
        ),
        pattern=re.compile(r"0505-205 nimadm: The level of bos\.alt_disk_install\.rte installed in SPOT"),
        severity="fatal",
        meaning=(
            "Pre-check: the level of bos.alt_disk_install.rte in the SPOT differs from the NIM master's; "
            "(0.0.0.0) means it is not installed in the SPOT at all. nimadm stops before phase 1."
        ),
        fix=_ALT_DISK_FILESET_FIX,
        steps=_ALT_DISK_FILESET_STEPS,
        source="[S3], [ANS], [XCAT]",
        failure="F6",
    ),
    Entry(
        code="0505-218",
        text="alt_disk_copy: 0505-218 ATTENTION: init_multibos() returned an unexpected result.",
        pattern=re.compile(r"0505-218 ATTENTION: init_multibos\(\) returned an unexpected result\."),
        severity="fatal",
        meaning=(
            "The client's rootvg holds a multibos standby BOS instance (a bos_hd5 LV); nimadm is not "
            "supported with it. alt_disk_copy fails and nimadm reports 0505-187."
        ),
        fix=(
            "Remove the standby BOS instance on the client (multibos -R: INFERRED from the multibos docs), "
            "check that no bos_ LV is left, then rerun nimadm (the failed run cleaned up by itself)."
        ),
        steps=(
            Step("client", "lsvg -l rootvg | grep bos_"),
            Step("client", "multibos -R"),
        ),
        source="[GIBSON], [VIK], [AIX4ADMINS-MB]",
        failure="F10",
    ),
    # --- LVM (0516) --------------------------------------------------------------------------------
    Entry(
        code="0516-082",
        text="0516-082 /usr/sbin/lchangelv: Unable to access a special device file",
        pattern=re.compile(r"0516-082 \S*lchangelv: Unable to access a special device file"),
        severity="fatal",
        meaning=(
            "Ghost device: a stale device in the client's ODM holds the major number the clone needs "
            "(ALT_MAJOR_NUM), so renaming the logical volumes in phase 11 (alt_disk_copy -P3) fails."
        ),
        fix=(
            "On the client: read ALT_MAJOR_NUM (alt_disk_copy -d <hdisk> -DV is run only to print it), "
            "confirm with lvlstmajor (listed there = confirmed), remove the /dev special files and the "
            "CuDvDr entries with that major number, check, savebase; then nimadm -C on the master and "
            "rerun. Editing the ODM is risky: take a backup / call IBM support first. The same symptom "
            "is reported for viosupgrade."
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
        source="[S3]",
        failure="F9",
    ),
    Entry(
        code="0516-320",
        text="0516-320 /usr/sbin/getlvodm: Physical volume <pv> is not assigned to\n\ta volume group.",
        pattern=re.compile(r"0516-320 \S*getlvodm: Physical volume (?P<pv>\S+) is not assigned to"),
        severity="info",
        meaning="The disk belongs to no volume group: it is free (what preflight wants of a target disk).",
        fix="",
        steps=(),
        source="[ANS validate_pv.yml]",
    ),
    Entry(
        code="0516-1396",
        text="0516-1396 ...",
        pattern=re.compile(r"0516-1396"),
        severity="info",
        meaning="Treated by IBM's code as 'the disk is free' (message text unknown).",
        fix="",
        steps=(),
        source="[ANS nim_select_target_disk.py]",
    ),
    # --- SRC (0513), ODM (0518) ----------------------------------------------------------------------
    Entry(
        code="0513-059",
        text="0513-059 The nimsh Subsystem has been started. Subsystem PID is <pid>.",
        pattern=re.compile(r"0513-059 The (?P<subsystem>\S+) Subsystem has been started\."),
        severity="info",
        meaning="startsrc started the subsystem (e.g. nimsh).",
        fix="",
        steps=(),
        source="[S3]",
        failure="F1",
    ),
    Entry(
        code="0518-307",
        text="0518-307 odmdelete: <n> objects deleted.",
        pattern=re.compile(r"0518-307 odmdelete: \d+ objects? deleted\."),
        severity="info",
        meaning="odmdelete removed ODM objects (text INFERRED).",
        fix="",
        steps=(),
        source="(INFERRED)",
    ),
    # --- NIM (0042) --------------------------------------------------------------------------------
    Entry(
        code="0042-001",
        text='0042-001 nim: processing error encountered on "<host>":\n   <the error>',
        pattern=re.compile(r'0042-001 \S+: processing error encountered on "(?P<host>[^"]+)":'),
        severity="fatal",
        meaning=(
            "A NIM operation failed on the named machine; the real error is on the next line. NIM's fatal "
            "errors use the 3 digits of the code as the exit status."
        ),
        fix=(
            "Fix the error on the following line. In the known nimadm pre-check case it is "
            "'/usr/bin/lslpp: Fileset bos.alt_disk_install.rte not installed.': the SPOT lacks the "
            "fileset (see 0505-204)."
        ),
        steps=(),
        source="[S3], [POWERCAMPUS], [NIMERR]",
        failure="F6",
        wrapper=True,
    ),
    Entry(
        code="0042-052",
        text='0042-052 m_rmmac: unable to remove "<client>" because resources\nhave been allocated to it',
        pattern=re.compile(r'0042-052 m_rmmac: unable to remove "(?P<client>[^"]+)" because resources'),
        severity="error",
        meaning="Removing the NIM client failed: resources are still allocated to it.",
        fix="Deallocate all of the client's resources, then remove it again.",
        steps=(
            Step("master", "lsnim -c resources <client>"),
            Step("master", "nim -o deallocate -a subclass=all <client>"),
        ),
        source="[POWERCAMPUS]",
        failure="F18",
    ),
    Entry(
        code="0042-053",
        text='0042-053 lsnim: there is no NIM object named "<client>"',
        pattern=re.compile(r'0042-053 lsnim: there is no NIM object named "(?P<client>[^"]+)"'),
        severity="fatal",
        meaning="The NIM client (object) is not defined on this NIM master.",
        fix=(
            "Check the name given to nimadm -c (the NIM object name, not necessarily the hostname); "
            "define the client on the master if it is missing."
        ),
        steps=(Step("master", "lsnim -l <client>"),),
        source="[ANS]",
        failure="F5",
    ),
    Entry(
        code="0042-081",
        text='0042-081 m_mkspot: a resource already exists on "master" at location ...',
        pattern=re.compile(r'0042-081 m_mkspot: a resource already exists on "(?P<host>[^"]+)" at location'),
        severity="error",
        meaning="Creating a SPOT failed: another NIM resource already occupies that location.",
        fix="Create the SPOT at another location, or remove the existing resource first (INFERRED).",
        steps=(),
        source="[ANS create_spot.yml]",
    ),
    Entry(
        code="0042-137",
        text="0042-137 nimclient: the /etc/niminfo file is missing some required environment variables",
        pattern=re.compile(r"0042-137 nimclient: the /etc/niminfo file is missing some required environment variables"),
        severity="fatal",
        meaning=(
            "The client's /etc/niminfo is incomplete, so the client cannot work with its NIM master (it may "
            "be registered to another master)."
        ),
        fix=(
            "Check that NIM_MASTER_HOSTNAME names this master; restart nimsh; if it still fails remove "
            "/etc/niminfo and register the client again with niminit (flags INFERRED)."
        ),
        steps=(
            Step("client", "grep NIM_MASTER_HOSTNAME /etc/niminfo"),
            Step("client", "stopsrc -s nimsh"),
            Step("client", "startsrc -s nimsh"),
            Step("client", "rm /etc/niminfo"),
            Step("client", "niminit -a name=<client> -a master=<master>"),
        ),
        source="[LSSRC-GH 11845622085], [ANS]",
        failure="F4",
    ),
    Entry(
        code="0042-207",
        text="0042-207 m_showres: Unable to allocate the <spot> resource to master.",
        pattern=re.compile(r"0042-207 m_showres: Unable to allocate the (?P<spot>\S+) resource to \S+\."),
        severity="error",
        meaning="The SPOT is busy (allocated by another NIM operation); transient.",
        fix="Retry after a few seconds (IBM's own code retries up to 10 times).",
        steps=(Step("master", "nim -o showres -a lslpp_flags=Lc <spot>"),),
        source="[ANS nim_resource.py]",
        failure="F17",
    ),
    # --- lines without a code ----------------------------------------------------------------------
    Entry(
        code=None,
        text="Can not remove the glbd subsystem",
        pattern=re.compile(r"^Can not remove the glbd subsystem$"),
        severity="warning",
        meaning="Phase-5 noise of a successful run; not a failure.",
        fix="Nothing to do.",
        steps=(),
        source="[S3]",
        failure="F8",
    ),
    Entry(
        code=None,
        text='WARNING: rmitab failed! Unable to remove "<entry>" entry from /etc/inittab.',
        pattern=re.compile(r"^WARNING: rmitab failed!"),
        severity="warning",
        meaning="Phase-5 noise of a successful run; not a failure.",
        fix="Nothing to do.",
        steps=(),
        source="[S3]",
        failure="F8",
    ),
    Entry(
        code=None,
        text="sum: Can't open <file>",
        pattern=re.compile(r"^sum: Can't open "),
        severity="warning",
        meaning="Phase-5 noise of a successful run; not a failure.",
        fix="Nothing to do.",
        steps=(),
        source="[S3]",
        failure="F8",
    ),
)

BY_CODE: dict[str, Entry] = {e.code: e for e in ENTRIES if e.code is not None}
UNCODED: tuple[Entry, ...] = tuple(e for e in ENTRIES if e.code is None)

FAMILIES: dict[str, str] = {
    "0042": "NIM",
    "0505": "nimadm / alt_disk",
    "0513": "SRC (subsystems)",
    "0516": "LVM",
    "0518": "ODM",
}
"""Component prefix -> family, to describe a code the catalogue does not know."""

# Not looked up by line: nimadm printing this before phase 12 means it gave up; `diagnose` decides.
ABORTED = Entry(
    code=None,
    text="Cleaning up alt_disk_migration on the NIM master.",
    pattern=re.compile(r"^Cleaning up alt_disk_migration on the NIM master\.$"),
    severity="fatal",
    meaning=(
        "nimadm gave up and cleaned up before phase 12, without a message code the cockpit knows; the "
        "cause is in the lines just above."
    ),
    fix=(
        "Read the lines before this one, nimadm's log on the master and the NIM log; on the client "
        "/var/adm/ras/alt_disk_inst.log and /var/adm/ras/nimsh.log."
    ),
    steps=(
        Step("master", "tail -100 /var/adm/ras/alt_mig/<client>_alt_mig.log"),
        Step("master", "alog -o -t nim | tail -100"),
    ),
    source="[GIBSON], [S3], [RHDISK0]",
)

CONTEXT: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("client", re.compile(r"^Initializing NIM client (\S+)\.$")),
    ("client", re.compile(r"^Exporting alt_inst filesystems from client (\S+)$")),
    ("client", re.compile(r"^Cleaning up alt_disk_migration on client (\S+)\.$")),
    ("master", re.compile(r"^to NIM master (\S+):$")),
    ("hdisk", re.compile(r"alt_disk_copy .*-d \"?(hdisk\d+)")),
    ("hdisk", re.compile(r"^Writing boot image to client's alternate boot disk (\S+)\.$")),
)
"""Values a log reveals (key, pattern with one group), used to fill the fix commands' placeholders."""

NIMADM_FLAGS: dict[str, str] = {"-c": "client", "-s": "spot", "-l": "lpp", "-d": "hdisk"}
"""Flags of the echoed `nimadm` command line that name a context value."""

NIMADM_PHASES: dict[int, str] = {
    1: "client: alt_disk_copy -P1 clones rootvg to altinst_rootvg",
    2: "client: NFS-exports /alt_inst to the master",
    3: "master: NFS-mounts the client's /alt_inst",
    4: "master: pre-migration script",
    5: "master: saves config, restores BOS, merges config",
    6: "master: installp migrates the software",
    7: "master: post-migration script",
    8: "master: bosboot onto the client's alternate disk",
    9: "master: unmounts the client's file systems",
    10: "client: unexports /alt_inst",
    11: "client: alt_disk_copy -P3 renames LVs, varies off, sets the bootlist",
    12: "master and client: cleanup",
}
"""RUNBOOKS.md table B, one line per phase."""

ALT_DISK_PHASES: dict[int, str] = {
    1: "creates altinst_rootvg and its alt_ LVs, copies rootvg / restores the mksysb",
    2: "customization script, updates, resolv.conf, NIM client files",
    3: "unmounts, renames LVs back, varies off, sets the bootlist",
}
"""RUNBOOKS.md table C."""


def lookup(line: str) -> tuple[str | None, Entry | None]:
    """The message code on `line` (if any) and the catalogue entry that explains the line (if any)."""
    m = CODE.search(line)
    if m:
        return m.group(1), BY_CODE.get(m.group(1))
    for entry in UNCODED:
        if entry.pattern.search(line):
            return None, entry
    return None, None


def fatal_codes() -> frozenset[str]:
    return frozenset(code for code, e in BY_CODE.items() if e.fatal)


def benign_codes() -> frozenset[str]:
    return frozenset(code for code, e in BY_CODE.items() if e.severity == "warning")


def benign_line_patterns() -> tuple[re.Pattern[str], ...]:
    return tuple(e.pattern for e in UNCODED if e.severity == "warning")
