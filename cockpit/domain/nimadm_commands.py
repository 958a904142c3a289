"""Command lines of the nimadm runbook, built only from validated values and quoted."""

from __future__ import annotations

from cockpit.domain import names


def nimadm_migrate(
    client: str,
    lpp_source: str,
    spot: str,
    disks: list[str],
    *,
    cache_vg: str | None = None,
    phase: int | None = None,
) -> str:
    """`nimadm -c CLIENT -l LPP -s SPOT -d DISK -Y [-j VG] [-P N]` (reference 1.1)."""
    argv = [
        "nimadm",
        "-c",
        names.nim_name(client),
        "-l",
        names.nim_name(lpp_source),
        "-s",
        names.nim_name(spot),
        "-d",
        " ".join(names.disk_name(d) for d in disks),
        "-Y",
    ]
    if cache_vg is not None:
        argv += ["-j", names.vg_name(cache_vg)]
    if phase is not None:
        if not 1 <= phase <= 12:
            raise names.UnsafeValue(f"nimadm phase {phase} is not between 1 and 12")
        argv += ["-P", str(phase)]
    return names.command_line(*argv)


def nimadm_cleanup(client: str, spot: str) -> str:
    """`nimadm -C -c CLIENT -s SPOT`: clean up a migration that did not clean itself."""
    return names.command_line("nimadm", "-C", "-c", names.nim_name(client), "-s", names.nim_name(spot))
