"""`cockpit rollback CONFIG --host NAME [--host NAME ...] [--yes] [--reboot] [--cleanup] [--disk hdiskN]`.

Prints where each host stands and the exact commands of its rollback. Nothing changes without --yes
(exit 2). With --yes the steps run in order, each outcome printed, and the host is verified: exit 0
only when every host is verified back on the previous system; 1 when a step or a verification failed
or a host could not be read; 2 for bad input or a refused plan (one line: why). Cluster back-outs are
commands/backout.py; the TUI wizard is ui/screens/rollback.py (`b` on a host in the cockpit).
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from cockpit.commands import backout
from cockpit.commands.exits import UsageError
from cockpit.config.loader import load_config
from cockpit.config.models import Config, Host
from cockpit.config.runbooks import load_runbook
from cockpit.domain.rollback import Assessment, Refused, RollbackStep, StateError
from cockpit.engine.journal import FactRecord, Journal
from cockpit.engine.rollback import REBOOT_TIMEOUT, RollbackError, RollbackWizard
from cockpit.transports.base import Transport, TransportError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


@dataclass(frozen=True)
class Options:
    hosts: tuple[str, ...]
    yes: bool = False
    reboot: bool = False
    cleanup: bool = False
    disk: str | None = None
    headless: bool = True
    reboot_timeout: float = REBOOT_TIMEOUT


class Printer:
    def __init__(self, out: TextIO) -> None:
        self.out = out

    def __call__(self, text: str = "") -> None:
        self.out.write(text + "\n")
        self.out.flush()


def main(config_path: Path, options: Options) -> int:
    """`cockpit rollback` from its command line: a cluster runbook's back-out when the plan's runbook
    has one (commands/backout.py), else the disk rollback of the named hosts."""
    config = load_config(config_path)  # a bad config: one line per problem, exit 2 (cockpit.cli.main)
    runbook = load_runbook(config.plan.runbook)
    if runbook.backout:
        return backout.run(config, config_path, runbook, options.hosts, yes=options.yes)
    if not options.hosts:
        raise UsageError("rollback: name the host(s) to roll back with --host NAME")
    return run(config, config_path, options)


def run(
    config: Config,
    config_path: Path,
    options: Options,
    *,
    transport_for: Callable[[Host], Transport] | None = None,
    operator: str | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    say = Printer(out or sys.stdout)
    err = err or sys.stderr
    known = {h.name for h in config.hosts}
    unknown = [h for h in options.hosts if h not in known]
    if unknown:
        err.write(f"cockpit: rollback: unknown host {unknown[0]} (hosts: {', '.join(sorted(known))})\n")
        return EXIT_USAGE
    if options.disk is not None and len(options.hosts) != 1:
        err.write("cockpit: rollback: --disk names the target disk of one host: give one --host with it\n")
        return EXIT_USAGE
    if not options.headless:
        # The guided wizard lives in the cockpit, where the run is (b on a host); this is its headless form.
        err.write("cockpit: rollback runs headless here (same checks); the guided wizard is `b` in the cockpit\n")
    if transport_for is None:
        from cockpit.transports.factory import transport_for as factory

        def transport_for(host: Host) -> Transport:
            return factory(host, config.ssh, config.hosts)

    if operator is None:
        from cockpit.engine.waivers import operator as current_operator

        operator = current_operator()
    journal = Journal(config.state_dir / "journal.sqlite")
    wizard = RollbackWizard(
        config,
        transport_for,
        journal,
        operator,
        config_key=str(config_path.resolve()),
        reboot_timeout=options.reboot_timeout,
    )
    try:
        return asyncio.run(_main(wizard, options, say))
    finally:
        journal.close()


async def _main(wizard: RollbackWizard, opts: Options, say: Printer) -> int:
    try:
        code = await _rollback(wizard, opts, say)
    except BaseException:
        wizard.finish("failed")
        raise
    finally:
        await wizard.close()
    if wizard.journaled:
        say(f"journal: run {wizard.run_id} in {wizard.journal.path}")
    else:
        say("journal: nothing written (without --yes this was a look, not a rollback)")
    return code


async def _rollback(wizard: RollbackWizard, opts: Options, say: Printer) -> int:
    if opts.yes:
        wizard.confirm()  # the operator confirmed with --yes: journaled, refusals and unreadable hosts too
    answers = await asyncio.gather(*(wizard.assess(h, opts.disk) for h in opts.hosts), return_exceptions=True)
    unreadable: dict[str, str] = {}
    for host, answer in zip(opts.hosts, answers, strict=True):
        if isinstance(answer, TransportError | StateError | RollbackError):
            unreadable[host] = str(answer)
        elif isinstance(answer, BaseException):
            raise answer
    plans: dict[str, list[RollbackStep]] = {}
    for host in opts.hosts:
        if host in unreadable:
            say(f"{host}: cannot read where it stands: {unreadable[host]}")
            continue
        assessment = wizard.assessments[host]
        _show_assessment(say, assessment, wizard.records.get(host))
        if not assessment.refused:
            plans[host] = wizard.plan(host, opts.reboot)
            _show_plan(say, plans[host], opts)
    refused = [wizard.assessments[h] for h in opts.hosts if h in wizard.assessments and wizard.assessments[h].refused]
    if refused:
        for a in refused:
            say(f"refused: {a.host}: {a.reason}")
        say("nothing was changed")
        wizard.finish("refused")
        return EXIT_USAGE
    if unreadable:
        say("nothing was changed")
        wizard.finish("failed")
        return EXIT_FAILED
    todo = {h: [s for s in steps if not s.optional] for h, steps in plans.items()}
    changes = any(s.changes_host for steps in todo.values() for s in steps)
    changes |= opts.cleanup and any(s.optional and s.changes_host for steps in plans.values() for s in steps)
    if changes and not opts.yes:
        say("nothing was changed; re-run with --yes to do it")
        wizard.finish("proposed")
        return EXIT_USAGE
    done = await asyncio.gather(*(_one(wizard, h, todo[h], opts, say) for h in opts.hosts))
    ok = all(done)
    wizard.finish("verified" if ok else "failed")
    if len(opts.hosts) > 1:
        verified = [h for h, d in zip(opts.hosts, done, strict=True) if d]
        say(f"verified {len(verified)} of {len(opts.hosts)} hosts" + (f": {' '.join(verified)}" if verified else ""))
    return EXIT_OK if ok else EXIT_FAILED


async def _one(wizard: RollbackWizard, host: str, steps: list[RollbackStep], opts: Options, say: Printer) -> bool:
    try:
        if not await _steps(wizard, host, steps, say):
            return False
        verification = await wizard.verify(host)
        for c in verification.checks:
            say(f"{host}: check {c.name:<8} {'ok  ' if c.ok else 'FAIL'} {c.detail}")
        for note in verification.notes:
            say(f"{host}: note: {note}")
        if verification.pending_reboot:
            say(
                f"{host}: NOT VERIFIED: the bootlist names the previous system, but the host runs the migrated "
                "one until it reboots (re-run with --reboot, or reboot it and re-run to verify)"
            )
            return False
        if not verification.ok:
            say(f"{host}: NOT VERIFIED: {'; '.join(c.detail for c in verification.failed)}")
            return False
        assessment = wizard.assessments[host]
        say(f"{host}: verified: running {verification.level} from {assessment.old_disk}, the bootlist names it")
        if opts.cleanup:
            return await _cleanup(wizard, host, say)
        return True
    except (TransportError, StateError, RollbackError) as exc:
        say(f"{host}: FAILED: {exc}")
        return False


async def _steps(wizard: RollbackWizard, host: str, steps: list[RollbackStep], say: Printer) -> bool:
    for i, step in enumerate(steps, 1):
        say(f"{host}: [{i}/{len(steps)}] {step.command}")
        outcome = await wizard.execute(step)
        say(f"{host}:       {'ok' if outcome.ok else 'FAILED'}: {outcome.detail}")
        if not outcome.ok:
            return False
    return True


async def _cleanup(wizard: RollbackWizard, host: str, say: Printer) -> bool:
    try:
        steps = await wizard.cleanup_plan(host)
    except Refused as exc:
        say(f"{host}: clean-up refused: {exc}")
        return False
    if not steps:
        say(f"{host}: clean-up: nothing left of the migrated system")
        return True
    say(f"{host}: clean-up of the migrated system:")
    if not await _steps(wizard, host, steps, say):
        return False
    left = await wizard.cleanup_plan(host)
    disks = " ".join(wizard.assessments[host].new_disks)
    if left:
        say(f"{host}: clean-up NOT VERIFIED: lspv still shows {disks} in a volume group")
        return False
    say(f"{host}: clean-up verified: lspv shows {disks} in no volume group")
    return True


# --- printing -----------------------------------------------------------------------------------


def _show_assessment(say: Printer, a: Assessment, record: FactRecord | None) -> None:
    say(f"{a.host}: {a.summary}")
    for d in a.state.disks:
        say(f"    lspv      {d.line}")
    say(f"    bootlist  {' '.join(str(e) for e in a.state.bootlist) or '(empty)'}")
    say(f"    booted    {a.state.booted_from or '(bootinfo -b said nothing)'}   oslevel -s {a.state.level}")
    if record is not None:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(record.at))
        say(f"    recorded before the migration: {record.value} (run {record.run_id}, {when})")
    else:
        say("    recorded before the migration: nothing (no run of this journal recorded it)")
    for note in a.notes:
        say(f"    note: {note}")


def _show_plan(say: Printer, steps: list[RollbackStep], opts: Options) -> None:
    required = [s for s in steps if not s.optional]
    offered = [s for s in steps if s.optional]
    if required:
        say("    plan:")
        for i, s in enumerate(required, 1):
            say(_step_line(f"{i}.", s))
    else:
        say("    plan: nothing to change")
    reboot = [s for s in offered if s.id == "reboot"]
    cleanup = [s for s in offered if s.id != "reboot"]
    if reboot:
        say("    needs --reboot to take effect now (else at the next reboot):")
        say(_step_line("", reboot[0]))
    if cleanup:
        when = "after the rollback is verified" if opts.cleanup else "offered with --cleanup, after the rollback"
        say(f"    clean-up ({when}; the lspv names are read again first):")
        for s in cleanup:
            say(_step_line("", s))


def _step_line(number: str, s: RollbackStep) -> str:
    mark = "[destructive] " if s.destructive else ""
    return f"      {number:<3}{s.command:<34} {mark}{s.title}; verified: {s.verify}"
