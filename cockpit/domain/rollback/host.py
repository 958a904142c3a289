"""The host as the rollback reads it: its volume groups, bootlist and level (and the commands that read them)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

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
