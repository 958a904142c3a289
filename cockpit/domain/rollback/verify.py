"""What proves a rollback: the host read again, checked against where it stood before."""

from __future__ import annotations

from dataclasses import dataclass

from cockpit.domain.rollback.assess import Assessment, Situation
from cockpit.domain.rollback.host import ROOTVG, HostState


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
