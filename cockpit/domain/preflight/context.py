"""Everything the preflight checks know about one migration target before asking any host."""

from __future__ import annotations

from dataclasses import dataclass

from cockpit.domain import names
from cockpit.domain.preflight.models import Role

TARGET_LEVEL = names.AIX_LEVEL


def host_name(value: str) -> str:
    return names.check("host name", value, names.HOST_NAME)


@dataclass(frozen=True)
class ClientContext:
    """One NIM client to migrate with `nimadm`, and the master and resources it will use.

    Every value is validated on construction (names.py), so command lines built from it are safe.
    """

    client: str
    """Host name the cockpit reaches the client by (SSH)."""
    master: str
    """Host name the cockpit reaches the NIM master by."""
    lpp_source: str
    spot: str
    disks: tuple[str, ...]
    nim_name: str = ""
    """The client's NIM object name (`nimadm -c`); the host name when empty."""
    target_level: str | None = None
    """Level the plan migrates to, `oslevel -s` style (7200-05-06); None: taken from the lpp_source."""
    cache_vg: str | None = None
    """Volume group on the master for `nimadm -j` local caching, if the plan uses it."""
    master_aliases: tuple[str, ...] = ()
    """Other names the master is known by (what clients may have in NIM_MASTER_HOSTNAME)."""
    cleanup: str = ""
    """The runbook's clean-up line for this client on the master (`nimadm -C ...`), shown in hints;
    empty when the runbook has none. Rendered from the runbook, the one source of its commands."""

    def __post_init__(self) -> None:
        host_name(self.client)
        host_name(self.master)
        for alias in self.master_aliases:
            host_name(alias)
        if not self.nim_name:
            object.__setattr__(self, "nim_name", self.client)
        names.nim_name(self.nim_name)
        names.nim_name(self.lpp_source)
        names.nim_name(self.spot)
        if isinstance(self.disks, str) or not self.disks:
            raise names.UnsafeValue(f"disks {self.disks!r}: give one or more disk names")
        object.__setattr__(self, "disks", tuple(names.disk_name(d) for d in self.disks))
        if self.target_level is not None and not TARGET_LEVEL.fullmatch(self.target_level):
            raise names.UnsafeValue(
                f"target level {self.target_level!r} is not an oslevel -s level (e.g. 7300-02-01-2346)"
            )
        if self.cache_vg is not None:
            names.vg_name(self.cache_vg)

    def host_for(self, role: Role) -> str:
        """The host a probe or a fix for `role` runs on."""
        return self.master if role == "master" else self.client
