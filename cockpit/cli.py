"""`cockpit`: the command line. Headless paths never import Textual (start-up time, and CI hosts).

Exit status: 0 success / go / valid, 1 a migration or check did not succeed, 2 bad usage or bad
input (one line on stderr, never a traceback), 3 an internal error (traceback saved to a file).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

# asyncio (~30 ms, half of `cockpit --help`), subprocess, signal, tempfile and traceback are
# imported inside the commands that use them: `--help` and `validate` must start fast.
if TYPE_CHECKING:
    import subprocess

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


class UsageError(Exception):
    """Bad input from the operator: reported as one line, exit 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


_THEME_HELP = "colour theme: cockpit-dark, cockpit-light, cockpit-high-contrast, a Textual theme or your own (themes/)"


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="cockpit", description="Run AIX nimadm migrations on a fleet, live, from one terminal.")
    from cockpit import __version__

    p.add_argument("--version", action="version", version=f"cockpit {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    demo = sub.add_parser("demo", help="simulated fleet on loopback, then the cockpit on it")
    demo.add_argument("--scenario", default="demo", help="simulator scenario (default: demo)")
    demo.add_argument("--hosts", type=int, help="number of simulated clients (default: the scenario's)")
    demo.add_argument("--headless", action="store_true", help="print state changes instead of the TUI")
    demo.add_argument("--theme", metavar="NAME", help=_THEME_HELP)
    demo.add_argument(
        "--no-preflight", action="store_true", help="start without the preflight gate (see a failure happen live)"
    )

    run = sub.add_parser("run", help="run the plan in CONFIG")
    run.add_argument("config", type=Path)
    run.add_argument("--headless", action="store_true", help="print one line per state change; no TUI")
    run.add_argument("--theme", metavar="NAME", help=_THEME_HELP)
    run.add_argument("--dry-run", action="store_true", help="show what would run where, touch no host")
    run.add_argument(
        "--resume", action="store_true", help="re-attach to the last unfinished run of CONFIG (after a crash)"
    )
    run.add_argument(
        "--no-preflight",
        action="store_true",
        help="start every client without the preflight gate (journaled; for when the checks were run just before)",
    )
    run.add_argument(
        "--read-only",
        action="store_true",
        help="run nothing: watch CONFIG's current run in the cockpit, every action disabled (as `cockpit watch`)",
    )

    runs = sub.add_parser("runs", help="the past runs of CONFIG's journal, newest first")
    runs.add_argument("config", type=Path)
    runs.add_argument("--format", choices=("text", "json"), default="text")

    rep = sub.add_parser("report", help="the record of a run: per host outcome, steps, phases, actions, rollbacks")
    rep.add_argument("config", type=Path)
    rep.add_argument("run_id", metavar="RUN_ID", help="a run id (`cockpit runs CONFIG`) or `latest`")
    rep.add_argument("--format", choices=("md", "json", "junit"), default="md")
    rep.add_argument("--output", type=Path, metavar="FILE", help="write it to FILE instead of stdout")

    watch = sub.add_parser("watch", help="watch a run another cockpit drives (read-only, from its journal)")
    watch.add_argument("config", type=Path)
    watch.add_argument("--run", metavar="RUN_ID", help="default: the latest unfinished run, else the latest")
    watch.add_argument("--theme", metavar="NAME", help=_THEME_HELP)

    replay = sub.add_parser("replay", help="show a past run in the cockpit as it ended (read-only)")
    replay.add_argument("config", type=Path)
    replay.add_argument("run_id", metavar="RUN_ID", help="a run id (`cockpit runs CONFIG`) or `latest`")
    replay.add_argument("--theme", metavar="NAME", help=_THEME_HELP)

    chk = sub.add_parser("check", help="preflight every host; exit 0 go, 1 no-go")
    chk.add_argument("config", type=Path)
    chk.add_argument("--format", choices=("text", "json"), default="text")
    chk.add_argument(
        "--waive",
        action="append",
        default=[],
        metavar="CHECK[@HOST]=REASON",
        help="accept a finding with a reason (journaled; stays until revoked)",
    )

    rb = sub.add_parser(
        "rollback",
        help="roll migrated clients back to the previous system; exit 0 only when verified",
        description="Show where each host stands and the exact rollback commands; --yes runs them. "
        "For a cluster runbook (hacws, linuxha) it is the runbook's back-out steps on every node.",
    )
    rb.add_argument("config", type=Path)
    rb.add_argument(
        "--host", action="append", default=[], metavar="NAME", help="a client (repeat for several; clusters: all nodes)"
    )
    rb.add_argument("--yes", action="store_true", help="run the steps (without it nothing is changed; exit 2)")
    rb.add_argument("--reboot", action="store_true", help="reboot into the previous system now (shutdown -Fr)")
    rb.add_argument(
        "--cleanup", action="store_true", help="after a verified rollback, remove the migrated system from its disk"
    )
    rb.add_argument("--disk", metavar="HDISK", help="the disk you expect to boot (refused if it cannot boot it)")
    rb.add_argument("--reboot-timeout", type=float, default=1800.0, metavar="SECONDS", help="default 1800")
    rb.add_argument(
        "--headless", action="store_true", help="no TUI (the guided wizard is `b` on a host in the cockpit)"
    )

    val = sub.add_parser("validate", help="check a config file; exit 0 valid, 2 invalid")
    val.add_argument("config", type=Path)

    srv = sub.add_parser("serve", help="the demo cockpit in a browser (textual-serve, on 127.0.0.1 only)")
    srv.add_argument("--port", type=int, default=8000, help="TCP port on 127.0.0.1 (default 8000)")
    srv.add_argument("--scenario", default="demo", help="simulator scenario of each tab's demo (default: demo)")
    srv.add_argument("--hosts", type=int, help="number of simulated clients (default: the scenario's)")

    sch = sub.add_parser("schema", help="print the JSON Schema of the config file (for editors)")
    sch.add_argument("--output", type=Path, metavar="FILE", help="write it to FILE instead of stdout")

    dg = sub.add_parser("diagnose", help="phases, outcome, known errors and fixes of a saved nimadm/alt_disk log")
    dg.add_argument("logfile", type=Path)
    dg.add_argument("--format", choices=("text", "json"), default="text")

    sim = sub.add_parser("sim", help="serve a simulated AIX fleet on 127.0.0.1 in the foreground")
    sim.add_argument("scenario", nargs="?", default="demo")
    sim.add_argument("--inventory-out", type=Path, help="write the fleet's inventory (a config file) here")
    sim.add_argument("--workdir", type=Path, help="keep the fleet's keys and state here (default: a temp dir)")
    sim.add_argument("--hosts", type=int, help="number of simulated clients")
    return p


def quiet_library_warnings() -> None:
    """Keep libraries' warnings off the operator's terminal.

    Why: a dependency's deprecation notice (cryptography 51 warns five times about DSA when asyncssh
    is imported) is news for the cockpit's developers, not for an operator in a maintenance window,
    and on stderr it lands in the TUI's terminal and in output that other tools parse. `make
    test-latest` is where such notices are seen; `python -W default -m cockpit` or PYTHONWARNINGS
    shows them on purpose.
    """
    import warnings

    if not sys.warnoptions:  # the operator asked for them with -W or PYTHONWARNINGS
        warnings.simplefilter("ignore")


def main(argv: Sequence[str] | None = None) -> int:
    quiet_library_warnings()
    args = build_parser().parse_args(argv)
    try:
        return _dispatch(args)
    except UsageError as exc:
        print(f"cockpit: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("cockpit: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        from cockpit.config.loader import ConfigError
        from cockpit.domain.names import UnsafeValue
        from cockpit.transports.base import TransportError

        if isinstance(exc, ConfigError):
            for problem in exc.problems:
                print(problem, file=sys.stderr)
            return EXIT_USAGE
        if isinstance(exc, UnsafeValue | TransportError):
            print(f"cockpit: {exc}", file=sys.stderr)
            return EXIT_USAGE
        import tempfile
        import traceback

        crash = Path(tempfile.gettempdir()) / f"cockpit-crash-{os.getpid()}.txt"
        crash.write_text(traceback.format_exc())
        print(f"cockpit: internal error: {type(exc).__name__}: {exc} (traceback in {crash})", file=sys.stderr)
        return EXIT_INTERNAL


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "validate":
        return cmd_validate(args.config)
    if args.command == "serve":
        if not 0 < args.port < 65536:
            raise UsageError(f"serve: --port {args.port} is not a TCP port (1-65535)")
        from cockpit.commands.serve import run as serve_run

        return serve_run(args.port, args.scenario, args.hosts)
    if args.command == "schema":
        from cockpit.commands.schema import run as schema_run

        return schema_run(args.output)
    if args.command == "run" and args.read_only:
        return cmd_observe(args.config, None, follow=True, theme=args.theme)
    if args.command in ("watch", "replay"):
        run_id = args.run if args.command == "watch" else args.run_id
        return cmd_observe(args.config, run_id, follow=args.command == "watch", theme=args.theme)
    if args.command == "runs":
        from cockpit.commands.runs import run as runs_run

        return runs_run(_load(args.config).state_dir, args.format)
    if args.command == "report":
        from cockpit.commands.report import run as report_run

        return report_run(_load(args.config).state_dir, args.run_id, args.format, args.output)
    if args.command == "run":
        return cmd_run(
            args.config,
            headless=args.headless,
            dry_run=args.dry_run,
            resume=args.resume,
            gate=not args.no_preflight,
            theme=args.theme,
        )
    if args.command == "check":
        return cmd_check(args.config, args.format, args.waive)
    if args.command == "diagnose":
        from cockpit.commands.diagnose import run as diagnose_run

        return diagnose_run(args.logfile, args.format)
    if args.command == "rollback":
        return cmd_rollback(args)
    if args.command == "sim":
        return cmd_sim(args.scenario, args.inventory_out, args.workdir, args.hosts)
    if args.command == "demo":
        return cmd_demo(args.scenario, args.hosts, headless=args.headless, theme=args.theme, gate=not args.no_preflight)
    raise UsageError(f"unknown command {args.command}")


def _load(path: Path):  # type: ignore[no-untyped-def]
    from cockpit.config.loader import load_config

    return load_config(path)


def cmd_validate(path: Path) -> int:
    config = _load(path)  # a bad config: one line per problem, exit 2 (main)
    plan = config.plan
    where = f" on {plan.master}" if plan.master else ""
    name, targets = _runbook_name(config), len(config.targets)
    print(f"{path}: valid: {len(config.hosts)} hosts, {name} plan for {targets} targets{where}")
    return EXIT_OK


def _runbook_name(config) -> str:  # type: ignore[no-untyped-def]
    from cockpit.config.runbooks import load_runbook

    return load_runbook(config.plan.runbook).name


def cmd_check(path: Path, fmt: str, waive: list[str]) -> int:
    config = _load(path)  # a bad config: one line per problem, exit 2 (main)
    from cockpit.commands.check import run, waiver_args

    try:
        waivers = waiver_args(waive)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    return run(config, fmt, new_waivers=waivers)


def cmd_rollback(args: argparse.Namespace) -> int:
    config = _load(args.config)  # a bad config: one line per problem, exit 2 (main)
    from cockpit.config.runbooks import load_runbook

    runbook = load_runbook(config.plan.runbook)
    if runbook.backout:
        from cockpit.commands import backout

        return backout.run(config, args.config, runbook, tuple(dict.fromkeys(args.host)), yes=args.yes)
    if not args.host:
        raise UsageError("rollback: name the host(s) to roll back with --host NAME")
    from cockpit.commands.rollback import Options, run

    options = Options(
        hosts=tuple(dict.fromkeys(args.host)),
        yes=args.yes,
        reboot=args.reboot,
        cleanup=args.cleanup,
        disk=args.disk,
        headless=args.headless,
        reboot_timeout=args.reboot_timeout,
    )
    return run(config, args.config, options)


def _operator() -> str:
    from cockpit.engine.waivers import operator

    return operator()


def _dry_run(config) -> int:  # type: ignore[no-untyped-def]
    """Every step the plan would run, where and how; nothing is connected to or written (no journal)."""
    from cockpit.engine.binding import Binding

    binding = Binding(config, "dry-run")
    runbook = binding.runbook
    print(f"runbook {runbook.name} ({runbook.mode}): {runbook.title}")
    steps = [spec for t in binding.targets for spec in binding.steps(t)]
    if runbook.mode == "lockstep":  # step by step across the targets: show them in that order
        steps.sort(key=lambda s: s.index)
    for step in steps:
        h = step.host or config.host(step.target)
        print(f"{step.target}: {step.step_id} on {h.name} ({h.user}@{h.address}:{h.port}): {step.command}")
        if step.guard is not None:
            shows = f" showing /{step.guard.output.pattern}/" if step.guard.output else ""
            otherwise = "skipped there" if step.guard.skip else "refused"
            print(f"    only after `{step.guard.command}`{shows}; otherwise {otherwise}")
    print(f"concurrency {config.plan.concurrency}; nothing was run")
    return EXIT_OK


def cmd_run(
    path: Path, *, headless: bool, dry_run: bool, resume: bool = False, gate: bool = True, theme: str | None = None
) -> int:
    config = _load(path)  # a bad config: one line per problem, exit 2 (main)
    if dry_run:
        return _dry_run(config)
    from cockpit.engine.run import NothingToResume, RunbookRun
    from cockpit.transports.factory import transport_for

    try:
        engine = RunbookRun(
            config,
            lambda host: transport_for(host, config.ssh, config.hosts),
            config_path=path,
            resume=resume,
            operator=_operator(),
        )
    except NothingToResume as exc:
        raise UsageError(str(exc)) from exc
    from cockpit.config.models import NimadmPlan
    from cockpit.engine.preflight import PreflightService
    from cockpit.engine.waivers import operator

    # The preflight checks are those of a nimadm migration (NIM master, nimsh, SPOT, disks); other
    # runbooks verify what they need in their own first steps.
    service = None
    if isinstance(config.plan, NimadmPlan):
        service = PreflightService(
            config, lambda host: transport_for(host, config.ssh, config.hosts), operator=operator()
        )
    use_gate = gate and not resume and service is not None  # a resumed run keeps the decisions of its start
    if not gate and service is not None:
        service.journal.record_action(engine.run_id, None, "skip-preflight", "--no-preflight", operator())
    if headless:
        return _run_headless(engine, service if use_gate else None)
    return _run_tui(engine, title=f"{engine.runbook.name} · {path.name}", service=service, gate=use_gate, theme=theme)


def _run_headless(engine, service) -> int:  # type: ignore[no-untyped-def]
    import asyncio

    from cockpit.engine.printer import LinePrinter

    async def main():  # type: ignore[no-untyped-def]
        blocked: dict[str, str] = {}
        if service is not None:
            report = await service.check()
            blocked = service.blocked(report)
            print(
                f"preflight: {report.verdict.decision.value} - {len(report.verdict.hosts) - len(blocked)} go, "
                f"{len(blocked)} blocked ({report.commands_run} probes; details: cockpit check CONFIG)"
            )
        return await engine.run(LinePrinter(), blocked)

    finished = asyncio.run(main())
    print(f"logs: {engine.logs.directory}")
    return EXIT_OK if finished.ok else EXIT_FAILED


def _run_tui(engine, title: str, service=None, gate: bool = False, theme: str | None = None) -> int:  # type: ignore[no-untyped-def]
    """The cockpit on `engine`; with `gate` it opens on the preflight of `service` (closed on exit).

    The run stays open after its last step (keep_open) so a failed client can still be retried from
    the troubleshoot screen; the app closes it when it quits (see CockpitApp's `controls`).
    """
    import functools
    import shlex

    from cockpit.ui.app import DEFAULT_RESUME_COMMAND, CockpitApp
    from cockpit.ui.themes import UnknownTheme

    config = engine.config_key  # the resolved config path (the journal's key for --resume)
    resume = f"cockpit run {shlex.quote(config)} --resume" if config != "<memory>" else DEFAULT_RESUME_COMMAND
    try:
        app = CockpitApp(
            run=functools.partial(engine.run, keep_open=True),
            targets=list(engine.progress),
            log_path=engine.log_path,
            title=title,
            preflight=service if gate else None,
            controls=engine,
            resume_command=resume,
            # A cluster runbook goes back with its back-out steps; the others by booting the old disk.
            rollback=None if engine.runbook.backout else functools.partial(rollback_wizard, engine),
            backout=cluster_backout(engine),
            theme=theme,
            # One process, one app: freeze the start-up objects out of the GC's full collections
            # (bench/README.md: p99 loop lag 102 -> 58 ms with 200 hosts streaming).
            freeze_gc=True,
        )
        app.run()
    except UnknownTheme as exc:
        raise UsageError(str(exc)) from exc
    finally:
        if service is not None:
            service.close()
    if app.bridge.run_started is None:  # quit on the preflight screen: nothing ran, no logs
        print("cockpit: the run was not started", file=sys.stderr)
        return EXIT_FAILED
    states = [p.state.value for p in engine.progress.values()]
    print(f"logs: {engine.logs.directory}")
    if all(s == "succeeded" for s in states):
        return EXIT_OK
    return EXIT_FAILED


def cluster_backout(engine):  # type: ignore[no-untyped-def]
    """The runbook's back-out for the cockpit's `b` (None when it has none: the disk wizard applies)."""
    if not engine.runbook.backout:
        return None
    from cockpit.commands import backout
    from cockpit.config.runbooks import load_runbook
    from cockpit.ui.app import Backout

    runbook = load_runbook(engine.config.plan.runbook)
    plan = backout.plan_lines(engine.config, runbook, backout.backout_runbook(runbook))
    path = Path(engine.config_key) if engine.config_key != "<memory>" else None

    def run(sink, line):  # type: ignore[no-untyped-def]
        return backout.run_in_cockpit(engine.config, path, runbook, engine.transport_for, engine.operator, sink, line)

    return Backout(runbook.name, plan, run)


def rollback_wizard(engine):  # type: ignore[no-untyped-def]
    """The engine's RollbackWizard for the TUI: the run's config, transports, journal and operator."""
    from cockpit.engine.rollback import RollbackWizard

    return RollbackWizard(
        engine.config, engine.transport_for, engine.journal, engine.operator, config_key=engine.config_key
    )


def cmd_observe(path: Path, run_id: str | None, *, follow: bool, theme: str | None = None) -> int:
    """The cockpit on a run read from the journal: `watch` follows it, `replay` shows it as it ended.

    Nothing here can change a host: the app has no controls, no rollback and no preflight, and the
    observer opens the journal read-only.
    """
    config = _load(path)  # a bad config: one line per problem, exit 2 (main)
    from cockpit.engine.journal import Journal
    from cockpit.engine.observe import JournalObserver, ObserveError, pick_run

    try:
        journal = Journal.read_only(config.state_dir / "journal.sqlite")
    except FileNotFoundError as exc:
        raise UsageError(f"{exc} (no run was made with this config yet)") from exc
    try:
        record = pick_run(journal, run_id)
    except ObserveError as exc:
        raise UsageError(str(exc)) from exc
    finally:
        journal.close()
    observer = JournalObserver(config.state_dir, record.run_id, follow=follow)
    from cockpit.ui.app import CockpitApp
    from cockpit.ui.themes import UnknownTheme

    how = "watching" if follow else "replay of"
    try:
        app = CockpitApp(
            run=observer.run,
            targets=[],
            log_path=observer.log_path,
            title=f"{how} {record.runbook} · {path.name}",  # the header adds the READ-ONLY badge
            theme=theme,
            read_only=True,
            freeze_gc=True,
        )
        app.run()
    except UnknownTheme as exc:
        raise UsageError(str(exc)) from exc
    return EXIT_OK


def cmd_sim(scenario: str, inventory_out: Path | None, workdir: Path | None, hosts: int | None) -> int:
    import asyncio

    from cockpit.sim.scenario import ScenarioError, load_scenario
    from cockpit.sim.server import serve

    try:
        load_scenario(scenario, hosts)  # a wrong name or file: one line, before anything starts
    except ScenarioError as exc:
        raise UsageError(str(exc)) from exc

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(scenario, inventory_out, workdir, hosts))
    return EXIT_OK


def cmd_demo(scenario: str, hosts: int | None, *, headless: bool, theme: str | None = None, gate: bool = True) -> int:
    """Serve the simulated fleet in a child process (as a real fleet is elsewhere), then run on it."""
    import signal
    import subprocess
    import tempfile

    from cockpit.sim.scenario import ScenarioError, load_scenario

    try:
        load_scenario(scenario, hosts)  # a wrong name: one line now, not a child's crash report
    except ScenarioError as exc:
        raise UsageError(str(exc)) from exc

    workdir = Path(tempfile.mkdtemp(prefix="cockpit-demo-"))
    inventory = workdir / "inventory.yaml"
    argv = [sys.executable, "-m", "cockpit", "sim", scenario, "--workdir", str(workdir)]
    argv += ["--inventory-out", str(inventory)]
    if hosts is not None:
        argv += ["--hosts", str(hosts)]
    sim_log = workdir / "sim.log"
    with (
        sim_log.open("w") as out,
        subprocess.Popen(
            argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
        ) as sim,
    ):
        try:
            _wait_ready(sim, sim_log, timeout=60)
            print(f"simulated fleet '{scenario}' up; inventory {inventory}", file=sys.stderr)
            return cmd_run(inventory, headless=headless, dry_run=False, theme=theme, gate=gate)
        finally:
            if sim.poll() is None:
                os.killpg(sim.pid, signal.SIGTERM)
                try:
                    sim.wait(10)
                except subprocess.TimeoutExpired:
                    os.killpg(sim.pid, signal.SIGKILL)


def _wait_ready(sim: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace")
        if "\nready\n" in "\n" + text:
            return
        if sim.poll() is not None:
            last = text.strip().splitlines()[-1] if text.strip() else f"exit status {sim.returncode}"
            raise UsageError(f"the simulated fleet did not start: {last} (see {log})")
        time.sleep(0.05)
    raise UsageError(f"the simulated fleet did not start within {timeout:g}s (see {log})")


if __name__ == "__main__":
    raise SystemExit(main())
