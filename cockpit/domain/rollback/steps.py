"""What a rollback does: its steps (bootlist, reboot, clean-up), each checked before and judged after."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from cockpit.domain import names
from cockpit.domain.preflight.parsers.common import first_line
from cockpit.domain.rollback.assess import Assessment, Situation
from cockpit.domain.rollback.host import (
    ALTINST_ROOTVG,
    OLD_ROOTVG,
    READ_COMMANDS,
    REBOOT_COMMAND,
    ROOTVG,
    HostState,
    bootlist_command,
    parse_bootlist,
)


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
