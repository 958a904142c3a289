"""Rolling a client back after an alternate-disk migration: where it stands, what to do, what proves it.

Pure: the engine runs the read commands below and hands their output here. The two situations a
rollback starts from (REFERENCE 2.3, 2.5, 3.1; RUNBOOKS K1, K2; seed 004):

* not rebooted: the host still runs the original rootvg; nimadm left the migrated system as
  `altinst_rootvg` (varied off) on the target disk and pointed the bootlist at it. Rolling back is
  `bootlist -m normal <original disk>`; no reboot is needed.
* rebooted: the host runs the migrated system (now `rootvg`); the previous one is `old_rootvg`. Rolling
  back is `bootlist -m normal <old_rootvg's boot disk>` and `shutdown -Fr`.

After a rollback the migrated system stays on its disk (as `altinst_rootvg` when the original rootvg
boots again) until it is cleaned up with `alt_rootvg_op -X` and `chpv -C` (RUNBOOKS K2, F12).

A target disk that holds no boot image of the previous system (a free disk, a data VG, the migrated
system) is refused with the reason (FAILURES F21), and so is a bootlist that ends up empty: either
one would leave the host down at its next boot.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum

from cockpit.domain import names
from cockpit.domain.preflight.parsers.common import ParseError, first_line, lines
from cockpit.domain.preflight.parsers.lvm import PhysicalVolume, parse_lspv
from cockpit.domain.preflight.parsers.oslevel import parse_oslevel

ROOTVG, OLD_ROOTVG, ALTINST_ROOTVG = "rootvg", "old_rootvg", "altinst_rootvg"
ROOT_VGS = (ROOTVG, OLD_ROOTVG, ALTINST_ROOTVG)

# What the cockpit reads on the client to know where it stands (the key is the field of HostState).
READ_COMMANDS: dict[str, str] = {
    "lspv": "lspv",
    "bootlist": "bootlist -m normal -o",
    "oslevel": "oslevel -s",
    "bootinfo": "bootinfo -b",  # the disk the running system booted from
}
REBOOT_COMMAND = "shutdown -Fr"


def boot_disk_query(disk: str) -> str:
    """`alt_rootvg_op -q -d <disk>`: the boot disk of the VG that `disk` is in (a VG on several disks)."""
    return names.command_line("alt_rootvg_op", "-q", "-d", names.disk_name(disk))


def bootlist_command(disks: list[str]) -> str:
    if not disks:
        raise ValueError("refusing an empty bootlist: the host would not boot")
    return names.command_line("bootlist", "-m", "normal", *(names.disk_name(d) for d in disks))


def oslevel_of(text: str) -> str | None:
    """The full `oslevel -s` level (VVRR-TL-SP-YYWW) in a command's output, or None."""
    try:
        level = parse_oslevel(text)
    except ParseError:
        return None
    return str(level) if level.build is not None else None


# --- the host as read ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BootEntry:
    """One line of `bootlist -m normal -o`: the device, then `attr=value` words (`hdisk0 blv=hd5 pathid=0`)."""

    device: str
    attrs: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        return " ".join([self.device, *(f"{k}={v}" for k, v in self.attrs)])


def parse_bootlist(text: str) -> list[BootEntry]:
    entries = []
    for line in lines(text):
        words = line.split()
        if not words or "=" in words[0]:
            continue
        attrs = tuple((k, v) for k, sep, v in (w.partition("=") for w in words[1:]) if sep)
        entries.append(BootEntry(words[0], attrs))
    return entries


class StateError(ValueError):
    """The host's answers cannot be read as its state (one line for the operator)."""


@dataclass(frozen=True)
class HostState:
    host: str
    disks: tuple[PhysicalVolume, ...]
    bootlist: tuple[BootEntry, ...]
    level: str
    """`oslevel -s` of the running system."""
    booted_from: str | None
    """`bootinfo -b`: the disk the running system booted from."""
    vg_boot_disks: Mapping[str, str] = field(default_factory=dict)
    """VG -> its boot disk (`alt_rootvg_op -q -d`), known for the root VGs that span several disks."""

    def disk(self, name: str) -> PhysicalVolume | None:
        return next((d for d in self.disks if d.name == name), None)

    def disks_of(self, vg: str) -> list[str]:
        return [d.name for d in self.disks if d.vg == vg]

    def boot_disk_of(self, vg: str) -> str | None:
        """The disk holding the boot image of `vg`: its only disk, or what alt_rootvg_op -q said."""
        disks = self.disks_of(vg)
        if len(disks) <= 1:
            return disks[0] if disks else None
        return self.vg_boot_disks.get(vg)

    @property
    def first_boot_disk(self) -> str | None:
        return self.bootlist[0].device if self.bootlist else None


def multi_disk_root_vgs(lspv: str) -> dict[str, str]:
    """Root VGs on several disks -> one of their disks, to ask alt_rootvg_op -q which one boots."""
    found: dict[str, list[str]] = {}
    for pv in parse_lspv(lspv):
        if pv.vg in ROOT_VGS:
            found.setdefault(pv.vg, []).append(pv.name)
    return {vg: disks[0] for vg, disks in found.items() if len(disks) > 1}


def read_state(
    host: str,
    *,
    lspv: str,
    bootlist: str,
    oslevel: str,
    bootinfo: str,
    boot_disk_answers: Mapping[str, str] | None = None,
) -> HostState:
    """The state from the outputs of READ_COMMANDS (and `alt_rootvg_op -q -d` per multi-disk root VG)."""
    try:
        disks = tuple(parse_lspv(lspv))
    except ParseError as exc:
        raise StateError(f"{host}: lspv: {exc}") from exc
    level = oslevel_of(oslevel)
    if level is None:
        raise StateError(f"{host}: oslevel -s printed no level: {first_line(oslevel)[:80]!r}")
    booted = first_line(bootinfo)
    boot_disks = {}
    for vg, answer in (boot_disk_answers or {}).items():
        disk = first_line(answer)
        if names.DISK_NAME.fullmatch(disk):
            boot_disks[vg] = disk
    return HostState(
        host,
        disks,
        tuple(parse_bootlist(bootlist)),
        level,
        booted if names.DISK_NAME.fullmatch(booted) else None,
        boot_disks,
    )


# --- where it stands --------------------------------------------------------------------------------


class Situation(StrEnum):
    NOT_REBOOTED = "not_rebooted"
    """Running the original rootvg; the bootlist points away from it (at the migrated disk)."""
    REBOOTED = "rebooted"
    """Running the migrated system; the previous one is old_rootvg."""
    ROLLED_BACK = "rolled_back"
    """Running the original rootvg, which the bootlist names; the migrated system may still be on a disk."""
    NOTHING_TO_DO = "nothing_to_do"
    """No alternate rootvg, running the recorded level from the disk the bootlist names."""
    UNSAFE = "unsafe"
    """The cockpit will not touch it: `reasons` say why."""


@dataclass(frozen=True)
class Assessment:
    host: str
    situation: Situation
    summary: str
    state: HostState
    recorded_level: str | None
    old_vg: str | None = None
    """The VG that holds the previous system: rootvg (not rebooted) or old_rootvg (rebooted)."""
    old_disk: str | None = None
    """The disk to boot to go back: the boot disk of old_vg."""
    new_disks: tuple[str, ...] = ()
    """The disks of the migrated system."""
    new_vg: str | None = None
    """What lspv calls the migrated system now (altinst_rootvg, rootvg when running it, old_rootvg)."""
    reasons: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def refused(self) -> bool:
        return self.situation is Situation.UNSAFE

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)


def _unsafe(state: HostState, recorded: str | None, *reasons: str) -> Assessment:
    return Assessment(state.host, Situation.UNSAFE, "refused: " + "; ".join(reasons), state, recorded, reasons=reasons)


def assess(
    state: HostState, recorded_level: str | None, disk: str | None = None, planned_disks: tuple[str, ...] = ()
) -> Assessment:
    """Where the host stands, and which disk boots the system it ran before the migration.

    `recorded_level` is the `oslevel -s` journaled before the migration; `planned_disks` the plan's target
    disks for this client (only used to tell an already rolled-back host from a stale record). `disk` is
    the operator's own choice of target; it is checked like every target (check_target_disk).
    """
    return with_target(_assess(state, recorded_level, planned_disks), disk)


def _assess(state: HostState, recorded: str | None, planned_disks: tuple[str, ...]) -> Assessment:
    root = state.disks_of(ROOTVG)
    if not root:
        return _unsafe(state, recorded, "lspv shows no rootvg: these answers are not from a running AIX")
    running = state.booted_from or state.boot_disk_of(ROOTVG)
    if running is None:
        return _unsafe(
            state,
            recorded,
            f"rootvg spans {' '.join(root)} and neither bootinfo -b nor alt_rootvg_op -q said which disk boots",
        )
    if running not in root:
        return _unsafe(
            state,
            recorded,
            f"bootinfo -b says the system booted from {running}, which is not in rootvg "
            f"({' '.join(root)}): lspv and bootinfo disagree, look at the host by hand",
        )
    old = state.disks_of(OLD_ROOTVG)
    alt = state.disks_of(ALTINST_ROOTVG)
    notes: list[str] = []
    if recorded is None:
        notes.append(
            "no level was recorded before the migration: the rollback is verified by the disk the host "
            "boots from, not by its level (weaker)"
        )
    first = state.first_boot_disk
    level_fits = recorded is None or recorded == state.level
    if alt and first in alt:
        # The latest migration has not been booted: the running rootvg is the previous system.
        if not level_fits:
            return _mismatch(state, recorded)
        if old:
            notes.append(f"old_rootvg on {' '.join(old)} (an earlier system) is not part of this rollback")
        return _not_rebooted(state, recorded, running, ALTINST_ROOTVG, alt, notes)
    if old:
        if alt:
            notes.append(f"altinst_rootvg on {' '.join(alt)} is not part of this rollback and is left alone")
        if recorded is not None and recorded == state.level:
            # Running the level recorded before the migration: either a rollback already booted back
            # and this AIX calls the migrated disk old_rootvg, or the record is not about old_rootvg.
            if planned_disks and set(old) <= set(planned_disks):
                return _rolled_back(state, recorded, running, OLD_ROOTVG, old, notes)
            return _unsafe(
                state,
                recorded,
                f"the host runs {state.level}, the level recorded before the migration, yet old_rootvg is on "
                f"{' '.join(old)}, not on the migrated disk ({' '.join(planned_disks) or 'unknown'}): "
                "which system is the previous one is not clear, look at the host by hand",
            )
        old_disk = state.boot_disk_of(OLD_ROOTVG)
        if old_disk is None:
            return _unsafe(
                state,
                recorded,
                f"old_rootvg spans {' '.join(old)} and alt_rootvg_op -q -d did not say which one is its boot disk",
            )
        bootlist = " ".join(str(e) for e in state.bootlist) or "(empty)"
        return Assessment(
            state.host,
            Situation.REBOOTED,
            f"rebooted: running {state.level} from {running} (the migrated rootvg); "
            f"the previous system is old_rootvg on {old_disk}; bootlist: {bootlist}",
            state,
            recorded,
            old_vg=OLD_ROOTVG,
            old_disk=old_disk,
            new_disks=tuple(root),
            new_vg=ROOTVG,
            notes=tuple(notes),
        )
    if not level_fits:
        if not alt:
            return _unsafe(
                state,
                recorded,
                f"running {state.level}, {recorded} was recorded before the migration, and no disk "
                "holds old_rootvg: the previous system is gone (alt_rootvg_op -X old_rootvg?); "
                "going back needs a mksysb restore, not a rollback",
            )
        return _mismatch(state, recorded)
    if alt:
        return _rolled_back(state, recorded, running, ALTINST_ROOTVG, alt, notes)
    if first == running:
        return Assessment(
            state.host,
            Situation.NOTHING_TO_DO,
            f"nothing to roll back: running {state.level} from {running}, which the bootlist names; "
            "no alternate rootvg",
            state,
            recorded,
            old_vg=ROOTVG,
            old_disk=running,
            notes=tuple(notes),
        )
    return _not_rebooted(state, recorded, running, None, [], notes)


def _mismatch(state: HostState, recorded: str | None) -> Assessment:
    return _unsafe(
        state,
        recorded,
        f"running {state.level} from the original rootvg, but {recorded} was recorded before the "
        "migration: the record does not fit this host, look at it by hand",
    )


def _not_rebooted(
    state: HostState, recorded: str | None, running: str, vg: str | None, migrated: list[str], notes: list[str]
) -> Assessment:
    first = state.first_boot_disk
    where = f"at the migrated disk {first}" if first in migrated else f"at {first}" if first else "nowhere (empty)"
    bootlist = " ".join(str(e) for e in state.bootlist) or "(empty)"
    return Assessment(
        state.host,
        Situation.NOT_REBOOTED,
        f"not rebooted: running {state.level} from {running} (the original rootvg); "
        f"the bootlist points {where}: {bootlist}",
        state,
        recorded,
        old_vg=ROOTVG,
        old_disk=running,
        new_disks=tuple(migrated),
        new_vg=vg,
        notes=tuple(notes),
    )


def _rolled_back(
    state: HostState, recorded: str | None, running: str, vg: str, migrated: list[str], notes: list[str]
) -> Assessment:
    if state.first_boot_disk != running:
        # Back on the previous system, but its next boot would leave it: the bootlist is part of the rollback.
        return _not_rebooted(state, recorded, running, vg, migrated, notes)
    return Assessment(
        state.host,
        Situation.ROLLED_BACK,
        f"rolled back: running {state.level} from {running}, which the bootlist names; "
        f"the migrated system is still {vg} on {' '.join(migrated)} (clean-up offered)",
        state,
        recorded,
        old_vg=ROOTVG,
        old_disk=running,
        new_disks=tuple(migrated),
        new_vg=vg,
        notes=tuple(notes),
    )


def with_target(assessment: Assessment, disk: str | None) -> Assessment:
    """The assessment with the operator's own target disk, refused when it holds no boot image to go back to."""
    if disk is None or assessment.refused:
        return assessment
    reason = check_target_disk(assessment, disk)
    if reason is not None:
        # Keep what was read (the summary says where the host stands); only the verdict changes.
        return replace(assessment, situation=Situation.UNSAFE, reasons=(reason,))
    return assessment


def check_target_disk(assessment: Assessment, disk: str) -> str | None:
    """Why booting `disk` would not bring the previous system back (one line), or None when it would."""
    state = assessment.state
    if not names.DISK_NAME.fullmatch(disk):
        return f"{disk!r} is not a disk name (hdiskN)"
    pv = state.disk(disk)
    if pv is None:
        return f"{disk} is not a disk of {state.host} (lspv does not list it)"
    if assessment.old_vg is None or assessment.old_disk is None:
        return f"{state.host} has no previous system to boot ({assessment.summary})"
    if pv.vg is None:
        return f"{disk} holds no volume group: there is no boot image on it and the host would not come back"
    if pv.vg == ALTINST_ROOTVG and assessment.old_vg == ROOTVG:
        return f"{disk} holds altinst_rootvg, the migrated system: booting it is the migration, not a rollback"
    if pv.vg == ROOTVG and assessment.old_vg == OLD_ROOTVG:
        return f"{disk} holds the running rootvg ({state.level}), the migrated system: that is not a rollback"
    if pv.vg != assessment.old_vg:
        kind = "an alternate rootvg that is not the previous system" if pv.vg in ROOT_VGS else "a data volume group"
        return f"{disk} belongs to {pv.vg}, {kind}: no boot image of the previous system is on it"
    if disk != assessment.old_disk:
        return (
            f"{disk} is in {pv.vg} but does not hold its boot image: its boot disk is {assessment.old_disk} "
            "(alt_rootvg_op -q)"
        )
    return None


def check_bootlist(assessment: Assessment, entries: list[BootEntry] | tuple[BootEntry, ...]) -> str | None:
    """Why this bootlist would not boot the previous system (empty, or a first entry that is not it)."""
    if not entries:
        return "the bootlist is empty: the host would not boot"
    first = entries[0].device
    if assessment.old_disk is not None and first != assessment.old_disk:
        why = check_target_disk(assessment, first)
        return f"the bootlist starts with {entries[0]}, not {assessment.old_disk}" + (f": {why}" if why else "")
    return None


# --- what to do ---------------------------------------------------------------------------------------


class StepKind(StrEnum):
    CHANGE = "change"
    CHECK = "check"
    REBOOT = "reboot"
    CLEANUP = "cleanup"


@dataclass(frozen=True)
class RollbackStep:
    id: str
    title: str
    host: str
    command: str
    kind: StepKind
    destructive: bool
    verify: str
    """How the cockpit knows the step did what it says."""
    expect_disk: str | None = None
    """For the bootlist check: the disk that must come first."""
    optional: bool = False
    """Offered, not part of the rollback itself (the clean-up)."""

    @property
    def changes_host(self) -> bool:
        return self.kind is not StepKind.CHECK


class Refused(ValueError):
    """A plan the cockpit will not make; the message is the one-line reason."""


def plan(assessment: Assessment, reboot: bool) -> list[RollbackStep]:
    """The steps of the rollback in order, with the clean-up offered at the end (optional).

    The clean-up commands are what the host will show after the rollback; the engine re-reads the
    host before offering them (cleanup_steps) rather than trusting this prediction.
    """
    if assessment.refused:
        raise Refused(assessment.reason)
    host, old = assessment.host, assessment.old_disk
    steps: list[RollbackStep] = []
    if assessment.situation in (Situation.NOT_REBOOTED, Situation.REBOOTED):
        assert old is not None
        steps.append(
            RollbackStep(
                "set-bootlist",
                f"boot the previous system ({assessment.old_vg} on {old}) from now on",
                host,
                bootlist_command([old]),
                StepKind.CHANGE,
                destructive=False,
                verify="exit status 0",
            )
        )
        steps.append(
            RollbackStep(
                "check-bootlist",
                "verify the bootlist",
                host,
                READ_COMMANDS["bootlist"],
                StepKind.CHECK,
                destructive=False,
                verify=f"first entry {old} (not empty)",
                expect_disk=old,
            )
        )
    needs_reboot = assessment.situation is Situation.REBOOTED
    if old is not None and (needs_reboot or (reboot and assessment.situation is Situation.NOT_REBOOTED)):
        level = assessment.recorded_level or "the level it had before the migration"
        steps.append(
            RollbackStep(
                "reboot",
                f"reboot into {old}" if needs_reboot else f"reboot to prove {old} boots (not needed to roll back)",
                host,
                REBOOT_COMMAND,
                StepKind.REBOOT,
                destructive=True,
                verify=f"the host answers again with the same host key, booted from {old}, at {level}",
                optional=not reboot,
            )
        )
    if assessment.new_disks and assessment.situation is not Situation.NOTHING_TO_DO:
        # Booting back, the original rootvg still knows the migrated disks as altinst_rootvg (its ODM was
        # written before the migrated system first booted); the engine re-reads the name before cleaning.
        vg = ALTINST_ROOTVG if assessment.new_vg in (None, ROOTVG) else assessment.new_vg
        steps += _cleanup(host, vg, list(assessment.new_disks))
    return steps


def _cleanup(host: str, vg: str, disks: list[str]) -> list[RollbackStep]:
    steps = [
        RollbackStep(
            "cleanup",
            f"remove the migrated system ({vg} on {' '.join(disks)})",
            host,
            names.command_line("alt_rootvg_op", "-X", names.vg_name(vg)),
            StepKind.CLEANUP,
            destructive=True,
            verify=f"lspv shows {' '.join(disks)} in no volume group",
            optional=True,
        )
    ]
    for d in disks:
        steps.append(
            RollbackStep(
                f"clear-{d}",
                f"clear the volume group record on {d}",
                host,
                names.command_line("chpv", "-C", names.disk_name(d)),
                StepKind.CLEANUP,
                destructive=True,
                verify="exit status 0",
                optional=True,
            )
        )
    return steps


def cleanup_steps(state: HostState, migrated_disks: tuple[str, ...]) -> list[RollbackStep]:
    """The clean-up of the migrated system as the host shows it now (after the rollback).

    Only the migrated disks are touched, whatever the alternate VG on them is called; refused while
    one of them is still the running rootvg (the rollback did not happen).
    """
    present = [pv for pv in (state.disk(d) for d in migrated_disks) if pv is not None]
    vgs: set[str | None] = {pv.vg for pv in present}
    if ROOTVG in vgs:
        raise Refused(f"{' '.join(migrated_disks)} still hold the running rootvg: roll back before cleaning up")
    vgs.discard(None)
    if not vgs:
        return []
    if len(vgs) > 1 or not vgs <= {ALTINST_ROOTVG, OLD_ROOTVG}:
        raise Refused(f"{' '.join(migrated_disks)} hold {', '.join(sorted(map(str, vgs)))}: not one alternate rootvg")
    (vg,) = vgs
    return _cleanup(state.host, str(vg), [pv.name for pv in present])


def check_cleanup(state: HostState, migrated_disks: tuple[str, ...], step: RollbackStep) -> str | None:
    """Why a clean-up step must not run on the host as it is now (one line), or None when it may.

    `alt_rootvg_op -X` only as cleanup_steps reads the host now; `chpv -C` only on a migrated disk that
    is in no volume group any more (its VG was removed, the record on the disk stays until cleared).
    """
    clears = {names.command_line("chpv", "-C", names.disk_name(d)): d for d in migrated_disks}
    if step.command in clears:
        pv = state.disk(clears[step.command])
        if pv is None:
            return f"{clears[step.command]} is not in lspv any more"
        if pv.vg is not None:
            return f"{pv.name} still belongs to {pv.vg}: remove that volume group first"
        return None
    try:
        fresh = cleanup_steps(state, migrated_disks)
    except Refused as exc:
        return str(exc)
    if all(s.command != step.command for s in fresh):
        now = " / ".join(s.command for s in fresh) or "nothing to clean up"
        return f"the host shows something else now ({now}): re-read it before cleaning up"
    return None


def judge(step: RollbackStep, exit_status: int, stdout: str, stderr: str) -> str | None:
    """Why a step's result is not what it promised (one line), or None when it is."""
    if exit_status != 0:
        said = first_line(stderr) or first_line(stdout)
        return f"exit status {exit_status}" + (f": {said}" if said else "")
    if step.kind is StepKind.CHECK and step.expect_disk is not None:
        entries = parse_bootlist(stdout)
        if not entries:
            return "bootlist -m normal -o printed nothing: an empty bootlist does not boot"
        if entries[0].device != step.expect_disk:
            return f"the bootlist starts with {entries[0]}, not {step.expect_disk}"
    return None


# --- what proves it -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class VerifyCheck:
    name: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class Verification:
    host: str
    level: str
    """`oslevel -s` the host runs now."""
    checks: tuple[VerifyCheck, ...]
    pending_reboot: bool = False
    """The bootlist is right but the host still runs the migrated system until it reboots."""
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.pending_reboot and all(c.ok for c in self.checks)

    @property
    def failed(self) -> list[VerifyCheck]:
        return [c for c in self.checks if not c.ok]


def verify(before: Assessment, now: HostState, *, rebooted: bool) -> Verification:
    """Is the host back: bootlist on the old disk and, once it runs the old system, its level and rootvg.

    `before` is the assessment the rollback started from; `rebooted` says the cockpit rebooted the host
    since then (a rebooted host is expected to run the old system only after that).
    """
    old = before.old_disk
    assert old is not None, "an assessment without an old disk has nothing to verify"
    checks = []
    first = now.bootlist[0] if now.bootlist else None
    checks.append(
        VerifyCheck(
            "bootlist",
            first is not None and first.device == old,
            f"bootlist -m normal -o starts with {first}" if first else "bootlist -m normal -o is empty",
        )
    )
    if before.situation is Situation.REBOOTED and not rebooted:
        return Verification(
            now.host,
            now.level,
            tuple(checks),
            pending_reboot=True,
            notes=(f"still running {now.level} from {now.booted_from or '?'} until it reboots into {old}",),
        )
    root = now.disks_of(ROOTVG)
    checks.append(VerifyCheck("rootvg", old in root, f"rootvg is on {' '.join(root) or 'no disk'}"))
    if now.booted_from is not None:
        checks.append(VerifyCheck("booted", now.booted_from == old, f"bootinfo -b: {now.booted_from}"))
    notes: list[str] = []
    recorded = before.recorded_level
    if recorded is not None:
        checks.append(
            VerifyCheck(
                "level", now.level == recorded, f"oslevel -s {now.level}, recorded before the migration {recorded}"
            )
        )
    elif before.situation is Situation.REBOOTED:
        # Weaker: without a record the old level is whatever the old disk runs; it must at least have changed.
        checks.append(
            VerifyCheck(
                "level",
                now.level != before.state.level,
                f"oslevel -s {now.level} (was {before.state.level}; no level recorded before the migration)",
            )
        )
    else:
        notes.append(f"oslevel -s {now.level}: no level recorded before the migration to compare with")
    return Verification(now.host, now.level, tuple(checks), notes=tuple(notes))
