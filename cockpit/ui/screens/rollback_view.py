"""What the rollback wizard shows: a host's state as read, its steps, the verification, and each step's question.

Pure rendering of a HostWalk (cockpit/ui/rollback_walk.py) into Content; the screen decides when.
`width` is the room the detail pane has: below WIDE the disks' roles go on a line of their own.
"""

from __future__ import annotations

import time

from textual.content import Content

from cockpit.domain.rollback import (
    ALTINST_ROOTVG,
    OLD_ROOTVG,
    ROOTVG,
    Assessment,
    RollbackStep,
    Situation,
    StepKind,
    Verification,
)
from cockpit.ui.rollback_walk import HostWalk, RollbackService, Stage
from cockpit.ui.screens.confirm import Ask

Part = Content | str | tuple[str, str]
WIDE = 110
"""Detail width from which a disk's roles fit on its own row."""

_SITUATION_LOOK = {
    Situation.NOT_REBOOTED: "$warning",
    Situation.REBOOTED: "$warning",
    Situation.ROLLED_BACK: "$success",
    Situation.NOTHING_TO_DO: "$success",
    Situation.UNSAFE: "$error",
}

# How a host reads in the list: a word with a glyph, so that it reads the same without colour.
_STAGE_LOOK = {
    Stage.VERIFIED: ("✓ verified", "$success"),
    Stage.CLEANED: ("✓ cleaned", "$success"),
    Stage.CLEANUP: ("✓ verified", "$success"),
    Stage.REFUSED: ("✗ refused", "$error"),
    Stage.FAILED: ("✗ failed", "$error"),
    Stage.NOT_VERIFIED: ("✗ not verified", "$error"),
    Stage.UNREADABLE: ("✗ unreadable", "$error"),
    Stage.STEPS: ("● to roll back", "$warning"),
}


def host_prompt(host: str, walk: HostWalk | None) -> Content:
    if walk is None:
        return Content(host)
    look = _STAGE_LOOK.get(walk.stage, (walk.stage.value, "$warning"))
    if walk.busy is not None:
        look = ("… busy", "$warning")
    return Content.assemble(f"{host:<8} ", look)


def counts_text(walks: list[HostWalk]) -> str:
    return ", ".join(f"{sum(1 for w in walks if w.outcome == o)} {o}" for o in ("verified", "failed", "refused"))


def render_walk(walk: HostWalk, service: RollbackService, now: float, width: int = WIDE) -> Content:
    parts: list[Part] = []
    a = walk.assessment
    if a is not None:
        parts += _state(walk, a, service, width)
    if walk.stage is Stage.UNREADABLE:
        parts += [("✗ cannot read where it stands: ", "bold $error"), (walk.error or "", "$error"), "\n"]
    if walk.stage is Stage.REFUSED and a is not None:
        parts += ["\n", ("✗ REFUSED: ", "bold $error"), (a.reason, "$error"), "\n"]
        parts += [("nothing was changed; d picks another disk, r reads the host again", "$text-muted"), "\n"]
    if walk.required or walk.offered_reboot or walk.cleanup:
        parts += _steps(walk)
    if walk.verification is not None:
        parts += _verification(walk, walk.verification)
    elif walk.stage is Stage.NOT_VERIFIED and walk.error:
        parts += ["\n", ("✗ NOT VERIFIED: ", "bold $error"), (walk.error, "$error"), "\n"]
    if walk.cleanup_note:
        ok = walk.stage is Stage.CLEANED
        parts += ["\n", (("✓ " if ok else "") + walk.cleanup_note, "$success" if ok else "$warning"), "\n"]
    if walk.busy is not None:
        waited = now - walk.busy_since
        parts += ["\n", (f"▶ {walk.busy}  {waited:.0f}s", "bold $warning")]
        if walk.busy.startswith("shutdown"):
            b = service.backoff
            parts += [
                (
                    f" of at most {service.reboot_timeout:g}s (reconnecting with backoff "
                    f"{b.first:g}s..{b.cap:g}s, same host key)",
                    "$warning",
                )
            ]
        parts.append("\n")
    else:
        parts += _next(walk)
    return Content.assemble(*parts)


def _state(walk: HostWalk, a: Assessment, service: RollbackService, width: int) -> list[Part]:
    st = a.state
    record = service.records.get(walk.host)
    out: list[Part] = [
        (f"{walk.host}", "bold"),
        "  ",
        (a.situation.value.replace("_", " "), f"bold {_SITUATION_LOOK[a.situation]}"),
        "\n",
        (a.summary, "$text-muted"),
        "\n\n",
        ("as read ", "bold"),
        ("(r reads it again; the steps below say what changed)", "$text-muted"),
        "\n",
    ]
    first = st.first_boot_disk
    for d in st.disks:
        roles = []
        if d.vg == ROOTVG:
            roles.append("running system")
        if d.name == a.old_disk and a.old_vg is not None:
            roles.append(f"previous system ({a.old_vg}): boot this to go back")
        elif d.name in a.new_disks:
            roles.append("migrated system")
        elif d.vg in (OLD_ROOTVG, ALTINST_ROOTVG):
            roles.append("alternate rootvg (not this rollback)")
        if d.name == st.booted_from:
            roles.append("booted from (bootinfo -b)")
        if d.name == first:
            roles.append("first in bootlist")
        if width >= WIDE:
            row = f"  {d.name:<8} {d.pvid:<18} {d.vg or 'None':<15} {d.state or '':<7}"
            out += [row, (" · ".join(roles), "$accent"), "\n"]
        else:
            # Narrow: the PVID and each role on a line of their own under the disk, rather than wrapped.
            out += [f"  {d.name:<8} {d.vg or 'None':<15} {d.state or ''}\n", f"           {d.pvid}\n"]
            for role in roles:
                out += [(f"           · {role}", "$accent"), "\n"]
    bootlist = " ".join(str(e) for e in st.bootlist) or "(empty)"
    out += [f"  bootlist -m normal -o   {bootlist}\n"]
    out += [f"  booted from             {st.booted_from or '(bootinfo -b said nothing)'}\n"]
    out += [f"  oslevel -s now          {st.level}\n"]
    if record is not None:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(record.at))
        out += [f"  before the migration    {record.value}  (run {record.run_id}, {when})\n"]
    else:
        out += ["  before the migration    ", ("not recorded (verified by the disk, not the level)", "$warning")]
        out.append("\n")
    if walk.disk is not None:
        out += [f"  disk chosen by you      {walk.disk}\n"]
    for note in a.notes:
        out += [("  note: " + note, "$text-muted"), "\n"]
    return out


def _steps(walk: HostWalk) -> list[Part]:
    out: list[Part] = ["\n", ("steps", "bold"), "\n"]
    nxt = walk.next_step()
    listed = [*walk.required]
    if walk.offered_reboot is not None:
        listed.append(walk.offered_reboot)
    listed += walk.cleanup or walk.predicted_cleanup
    for i, s in enumerate(listed, 1):
        result = walk.results.get(s.id)
        if result is not None:
            mark = ("✓", "$success") if result.ok else ("✗", "$error")
        elif s is nxt:
            mark = ("▶", "$warning")
        elif s is walk.offered_reboot and walk.reboot_skipped:
            mark = ("-", "$text-muted")
        else:
            mark = ("·", "$text-muted")
        tags = []
        if s is walk.offered_reboot:
            tags.append("offered, not needed")
        elif s in walk.predicted_cleanup:
            tags.append("offered after the rollback")
        if s.changes_host:
            tags.append("asks first")
        tag = f"  [{', '.join(tags)}]" if tags else ""
        out += [
            "  ",
            mark,
            f" {i}. ",
            (f"{s.command:<32}", "bold"),
            f" {s.title}",
            (tag, "$text-muted"),
            "\n",
            (f"       verified by: {s.verify}", "$text-muted"),
            "\n",
        ]
        if result is not None:
            out += [
                (f"       {'ok' if result.ok else 'FAILED'}: {result.detail}", "$success" if result.ok else "$error"),
                "\n",
            ]
    return out


def _verification(walk: HostWalk, v: Verification) -> list[Part]:
    out: list[Part] = ["\n"]
    if v.ok:
        a = walk.assessment
        old = a.old_disk if a else "?"
        out += [(f"✓ VERIFIED: {walk.host} runs {v.level} from {old}, and the bootlist names it", "bold $success")]
    elif v.pending_reboot:
        out += [("… NOT VERIFIED YET: the bootlist names the previous system; it runs after a reboot", "bold $warning")]
    else:
        out += [("✗ NOT VERIFIED: " + "; ".join(c.detail for c in v.failed), "bold $error")]
    out.append("\n")
    for c in v.checks:
        out += [("    ✓ " if c.ok else "    ✗ ", "$success" if c.ok else "$error"), f"{c.name:<9}{c.detail}\n"]
    for note in v.notes:
        out += [("    note: " + note, "$text-muted"), "\n"]
    return out


def _next(walk: HostWalk) -> list[Part]:
    step = walk.next_step()
    if step is not None:
        ask = " (asks first)" if step.changes_host else ""
        line = f"next: n runs {step.command} on {walk.host}{ask}"
        if step is walk.offered_reboot:
            line = f"next (offered, not needed to roll back): n reboots {walk.host} to prove the old disk boots; "
            line += "s skips it"
        return ["\n", (line, "bold $accent"), "\n"]
    if walk.stage is Stage.VERIFIED and walk.assessment is not None and walk.assessment.new_disks:
        disks = " ".join(walk.assessment.new_disks)
        line = f"next: n offers the clean-up of the migrated system on {disks} (re-read first, asks first)"
        return ["\n", (line, "bold $accent"), "\n"]
    return []


def step_ask(walk: HostWalk, step: RollbackStep, service: RollbackService) -> Ask:
    """The question before a step that changes the host: the command and host, what it does, its check.

    Each of these steps changes what the host boots or removes a system: the host's name is typed.
    """
    a = walk.assessment
    lines = [f"on {walk.host}:  {step.command}", "", f"what it does:  {step.title}"]
    lines.append(f"verified by:   {step.verify}")
    warning = f"This changes what {walk.host} boots."
    if step.kind is StepKind.REBOOT:
        b = service.backoff
        lines += [
            "",
            f"{walk.host} goes down now. Before it does, the wizard reads the bootlist again and refuses",
            "to reboot unless it starts with the previous system's boot disk.",
            f"Then it reconnects with backoff ({b.first:g}s doubling up to {b.cap:g}s) until the host answers "
            f"with the same host key, for at most {service.reboot_timeout:g}s, and verifies it.",
        ]
        warning = f"This reboots {walk.host}."
    elif step.kind is StepKind.CLEANUP:
        lines += ["", "This removes the migrated system from its disk: it cannot be booted afterwards."]
        lines.append("The wizard reads lspv again first and refuses if the host shows something else now.")
        warning = f"This removes the migrated system from {walk.host}."
    elif a is not None and step.id == "set-bootlist":
        first = a.state.bootlist[0] if a.state.bootlist else None
        lines += ["", f"bootlist now:  {first or '(empty)'}; the next boot of {walk.host} uses {a.old_disk}."]
    danger = step.destructive or step.kind is StepKind.REBOOT
    label = {StepKind.REBOOT: "Reboot", StepKind.CLEANUP: "Remove"}.get(step.kind, "Run")
    return Ask(
        f"{walk.host}: {step.title}",
        "\n".join(lines),
        confirm=label,
        danger=danger,
        type_name=walk.host,
        warning=warning,
        note=f"The wizard journals it (run {service.run_id}).",
    )
