"""The preflight checks of a nimadm alternate-disk migration, in the order a report lists them."""

from __future__ import annotations

from cockpit.domain.preflight.checks.base import Check, Undecidable, View
from cockpit.domain.preflight.checks.cache import CacheVgSpace
from cockpit.domain.preflight.checks.devices import GhostMajor
from cockpit.domain.preflight.checks.disks import TargetFree, TargetSize
from cockpit.domain.preflight.checks.filesets import AltDiskFileset
from cockpit.domain.preflight.checks.nim import ClientDefined, ClientMaster
from cockpit.domain.preflight.checks.nimsh import NimshActive, NimshPorts
from cockpit.domain.preflight.checks.oslevel import MasterNotBelowTarget
from cockpit.domain.preflight.checks.rootvg import LeftoverAlt, Multibos

ALL_CHECKS: tuple[Check, ...] = (
    ClientDefined(),
    ClientMaster(),
    NimshActive(),
    NimshPorts(),
    MasterNotBelowTarget(),
    AltDiskFileset(),
    TargetFree(),
    TargetSize(),
    LeftoverAlt(),
    Multibos(),
    GhostMajor(),
    CacheVgSpace(),
)
CHECKS: dict[str, Check] = {c.id: c for c in ALL_CHECKS}

__all__ = [
    "ALL_CHECKS",
    "CHECKS",
    "AltDiskFileset",
    "CacheVgSpace",
    "Check",
    "ClientDefined",
    "ClientMaster",
    "GhostMajor",
    "LeftoverAlt",
    "MasterNotBelowTarget",
    "Multibos",
    "NimshActive",
    "NimshPorts",
    "TargetFree",
    "TargetSize",
    "Undecidable",
    "View",
]
