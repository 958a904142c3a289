"""HACWS control workstations: clverify, spcw_addevents, hacws_verify (IBM PSSP: HACWS migration).

A host state of an HACWS scenario has `hacws`: {role (primary | backup), shared_vg, events_added}.
The active control workstation is the one with the shared volume group (spdatavg, /spdata) varied on.
The runbook calls these by bare name: on the PSSP control workstations /usr/sbin/cluster/diag and
/usr/sbin/hacws are on root's PATH (assumed; the instructions give the full paths), and the simulator can
only put fake commands on PATH.

The instructions give what the commands are for and when they fail: hacws_verify needs the primary CW to be
the active one and fails when spcw_addevents was not run after an HACMP upgrade. Every output text here
is assumed (HACMP 4.x / PSSP 3.x style); the messages name the instructions' conditions.

Stdlib only (see aixcmd.py).
"""

from __future__ import annotations

from cockpit.sim import state
from cockpit.sim.aix.common import Ctx, emit, err, line, not_found, out

# HACWS pre- and post-event scripts spcw_addevents defines to HACMP (names assumed from PSSP's spcw_* set).
EVENTS = (
    "node_up",
    "node_up_complete",
    "node_down",
    "node_down_complete",
    "network_up",
    "network_down",
    "swap_adapter",
    "fail_standby",
    "join_standby",
)


def first_state(role: str | None, params: dict[str, str], nodes: list[str]) -> dict[str, object]:
    return {
        "role": role or "primary",
        "shared_vg": params.get("shared_vg", "spdatavg"),
        "events_added": False,
        "nodes": nodes,
    }


def is_active(st: state.HostState) -> bool:
    """This CW provides the control workstation services: it has the shared VG varied on."""
    shared = st["hacws"]["shared_vg"]
    disks = [d for d in st["disks"] if d["vg"] == shared]
    return bool(disks) and all(d["active"] for d in disks)


def _hacws(ctx: Ctx, command: str) -> state.HostState | None:
    st = ctx.read()
    if "hacws" not in st:
        not_found(command)
        return None
    return st


def clverify(ctx: Ctx, args: list[str]) -> int:
    """`clverify software lpp` and `clverify cluster topology check` (HACMP's non-interactive forms)."""
    st = _hacws(ctx, "clverify")
    if st is None:
        return 127
    seconds = ctx.seconds(0.5) * float(st.get("slow", 1.0))
    if args == ["software", "lpp"]:
        emit(
            [
                line("Verifying software..."),
                line("Checking cluster.base.client.lib for HACMP for AIX..."),
                line("Checking cluster.base.server.rte for HACMP for AIX..."),
                line("Checking cluster.base.server.events for HACMP for AIX..."),
                line("Checking ssp.hacws for HACMP for AIX..."),
                line("Command completed."),
            ],
            seconds,
        )
        return 0
    if args == ["cluster", "topology", "check"]:
        emit(
            [
                *(line(f"Contacting node {n} ...") for n in st["hacws"]["nodes"]),
                line("Verifying cluster topology..."),
                line("Cluster topology verification completed with no errors."),
            ],
            seconds,
        )
        return 0
    err(
        "Usage: clverify software lpp | clverify cluster topology check",
        "       (the simulator implements these two forms)",
    )
    return 1


def spcw_addevents(ctx: Ctx, args: list[str]) -> int:
    st = _hacws(ctx, "spcw_addevents")
    if st is None:
        return 127
    if args:
        err("Usage: spcw_addevents")
        return 1
    lines = [line(f"spcw_addevents: Adding HACWS pre- and post-event scripts for event {e}.") for e in EVENTS]
    emit([*lines, line("spcw_addevents: HACWS event scripts are defined to HACMP.")], ctx.seconds(0.3))
    with ctx.update() as st:
        st["hacws"]["events_added"] = True
    return 0


def hacws_verify(ctx: Ctx, args: list[str]) -> int:
    st = _hacws(ctx, "hacws_verify")
    if st is None:
        return 127
    if args:
        err("Usage: hacws_verify")
        return 1
    name = st["hostname"]
    out(f"hacws_verify: Verifying the HACWS configuration on {name}.")
    if st["hacws"]["role"] != "primary" or not is_active(st):
        err(
            f"hacws_verify: {name} is not the primary control workstation providing the control workstation services.",
            "hacws_verify: Run this command on the primary control workstation while it is the active one.",
        )
        return 1
    if not st["hacws"]["events_added"]:
        err(
            "hacws_verify: The HACWS pre- and post-event scripts are not defined to HACMP for every cluster event.",
            "hacws_verify: Run /usr/sbin/hacws/spcw_addevents on both control workstations.",
            "hacws_verify: HACWS verification failed.",
        )
        return 1
    emit(
        [
            line("hacws_verify: Checking the HACWS event scripts... OK"),
            line(f"hacws_verify: Checking the shared volume group {st['hacws']['shared_vg']}... OK"),
            line("hacws_verify: Checking the control workstation IP aliases... OK"),
            line("hacws_verify: HACWS verification completed successfully."),
        ],
        ctx.seconds(0.3),
    )
    return 0
