"""The text of one successful nimadm run, as the simulator prints it (same generator functions).

Used by the UI and memory benches so the lines they stream have nimadm's real shape and lengths
(phase banners the tracker reads, installp output in phase 6) without running the simulator.
"""

from __future__ import annotations

from cockpit.sim.aix import installp
from cockpit.sim.aix import nimadm_text as text

LEVEL = "7200-05-06-2320"


def nimadm_lines(client: str, installp_lines: int, disk: str = "hdisk2") -> list[str]:
    run = text.Run(client=client, master="nim01", disks=(disk,), target_vr="7.2")
    first, last = text.pre(run)
    body = {
        1: lambda: text.phase1(run),
        2: lambda: text.phase2(run),
        3: lambda: text.phase3(run),
        4: text.no_script,
        5: text.phase5,
        6: lambda: text.phase6(installp.body(installp_lines, LEVEL)),
        7: text.no_script,
        8: lambda: text.phase8(run),
        9: lambda: text.phase9(run),
        10: lambda: text.phase10(run),
        11: lambda: [*text.phase11_start(run), (text.VERIFYING, 1.0, 1), *text.phase11_ok(run)],
        12: lambda: text.cleanup_lines(run),
    }
    out = [t for t, _, _ in first + last]
    for phase in range(1, 13):
        out += [t for t, _, _ in text.banner(phase) + body[phase]()]
    return out


if __name__ == "__main__":
    import sys

    lines = nimadm_lines("lpar01", int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
    print(len(lines), sum(len(x) + 1 for x in lines))
