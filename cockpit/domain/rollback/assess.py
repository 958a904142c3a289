"""Where a host stands after an alternate-disk migration, and whether a rollback target is safe."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from cockpit.domain import names
from cockpit.domain.rollback.host import ALTINST_ROOTVG, OLD_ROOTVG, ROOT_VGS, ROOTVG, BootEntry, HostState


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


def refuse(assessment: Assessment, reason: str) -> Assessment:
    """The same host refused for a reason found outside its disks (a migration still holds it)."""
    return _unsafe(assessment.state, assessment.recorded_level, reason, *assessment.reasons)


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
