"""multibos -R: remove the standby BOS (the bos_ logical volumes in rootvg) so nimadm can clone rootvg.
Only -R is simulated; its output follows multibos' operation log layout (assumed:
the sources name the command, not its output).
"""

from __future__ import annotations

from cockpit.sim.aix import vg
from cockpit.sim.aix.common import Ctx, UsageError, emit, line

RULE = "+" + "-" * 77 + "+"
LOG = "/etc/multibos/logs/op.alog"
MINUTES = 0.5


def _section(title: str) -> list[str]:
    return ["", RULE, title, RULE]


def multibos(ctx: Ctx, args: list[str]) -> int:
    if args != ["-R"]:
        raise UsageError("Usage: multibos -R  (the simulator implements the removal of the standby BOS only)")
    st = ctx.read()
    standby = [x for x in st["rootvg_lvs"] if x["name"].startswith("bos_")]
    head = [
        "Initializing multibos methods ...",
        f"Initializing log {LOG} ...",
        "Gathering system information ...",
        *_section("Remove Operation"),
        "Verifying operation parameters ...",
    ]
    booted_standby = any(e["blv"] == vg.MULTIBOS_BLV for e in st["bootlist"])
    if not standby or booted_standby:
        why = "No standby BOS was found." if not standby else "The bootlist names the standby BOS (blv=bos_hd5)."
        emit([line(t) for t in [*head, f"multibos: {why}", f"Log file is {LOG}", "Return Status = FAILURE"]], 0.05)
        return 1
    mounts = [x["mount"] for x in standby if x["mount"].startswith("/")]
    body = [
        *head,
        *_section("Boot Partition Processing"),
        "Active boot logical volume is hd5.",
        "Standby boot logical volume is bos_hd5.",
        *_section("Remove Processing"),
        "Removing all standby BOS file systems ...",
        *(f"Removing standby BOS file system {m}" for m in sorted(mounts, reverse=True)),
        "Removing all standby BOS logical volumes ...",
        *(f"Removing standby BOS logical volume {x['name']}" for x in standby),
        "",
        f"Log file is {LOG}",
        "Return Status = SUCCESS",
    ]
    emit([line(t) for t in body], ctx.seconds(MINUTES) * float(st.get("slow", 1.0)))
    names = {x["name"] for x in standby}
    with ctx.update() as st:
        st["rootvg_lvs"] = [x for x in st["rootvg_lvs"] if x["name"] not in names]
        devices = names | {"r" + n for n in names}
        st["dev"] = [d for d in st["dev"] if d["name"] not in devices]
        st["cudvdr"] = [o for o in st["cudvdr"] if o["value3"] not in names]
    return 0
