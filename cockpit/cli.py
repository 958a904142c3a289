"""`cockpit`: the command line. Headless paths never import Textual (start-up time, and CI hosts).

Exit status: 0 success / go / valid, 1 a migration or check did not succeed, 2 bad usage or bad
input (one line on stderr, never a traceback), 3 an internal error (traceback saved to a file).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from cockpit.commands.exits import EXIT_USAGE, UsageError

# asyncio (~30 ms, half of `cockpit --help`), subprocess, signal, tempfile and traceback are
# imported inside the commands that use them: `--help` and `validate` must start fast.


class _Parser(argparse.ArgumentParser):
    epilog_from: Callable[[], str] | None = None
    """Builds the epilog when help is asked for (the scenario list reads files: not on every start)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")

    def format_help(self) -> str:
        if self.epilog_from is not None:
            self.epilog = self.epilog_from()
        return super().format_help()


def _scenario_list() -> str:
    from cockpit.sim.scenario import summaries

    rows = summaries()
    width = max(len(name) for name, _ in rows)
    return "scenarios:\n" + "\n".join(f"  {name:<{width}}  {about}" for name, about in rows)


_THEME_HELP = "colour theme: cockpit-dark, cockpit-light, cockpit-high-contrast, a Textual theme or your own (themes/)"
_CONFIG_HELP = "the config file (YAML): hosts, SSH settings and the plan"
_JOURNAL_CONFIG_HELP = "the config file whose state directory holds the journal"
_FORMAT_HELP = "text for people (default), json for tools"


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="cockpit", description="Run AIX nimadm migrations on a fleet, live, from one terminal.")
    from cockpit import __version__

    p.add_argument("--version", action="version", version=f"cockpit {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    demo = sub.add_parser(
        "demo",
        help="simulated fleet on loopback, then the cockpit on it",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    demo.epilog_from = _scenario_list
    demo.add_argument("--scenario", default="demo", help="simulator scenario, one of those below (default: demo)")
    demo.add_argument("--hosts", type=int, metavar="N", help="number of simulated clients (default: the scenario's)")
    demo.add_argument("--headless", action="store_true", help="print state changes instead of the TUI")
    demo.add_argument("--theme", metavar="NAME", help=_THEME_HELP)
    demo.add_argument(
        "--no-preflight", action="store_true", help="start without the preflight gate (see a failure happen live)"
    )
    demo.add_argument(
        "--keep", action="store_true", help="keep the demo's folder (logs, journal, keys) and say where it is"
    )
    demo.add_argument("--exit-with-parent", action="store_true", help=argparse.SUPPRESS)

    run = sub.add_parser("run", help="run the plan in CONFIG")
    run.add_argument("config", type=Path, help=_CONFIG_HELP)
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
        "--break-lock",
        action="append",
        default=[],
        metavar="TARGET",
        help="break TARGET's lock left by a cockpit that is gone (journaled; a live cockpit's lock is never broken)",
    )
    run.add_argument(
        "--read-only",
        action="store_true",
        help="run nothing: watch CONFIG's current run in the cockpit, every action disabled (as `cockpit watch`)",
    )

    att = sub.add_parser(
        "attach",
        help="follow the migrations already running on CONFIG's masters and clients, whoever started them",
        description="Finds nimadm, alt_disk_copy and alt_disk_mksysb runs on CONFIG's NIM masters and clients "
        "(process table, lsnim), follows each from its own log and journals it as a run of kind attach. "
        "Nothing is changed on any host unless asked (each action confirmed with who started the migration).",
    )
    att.add_argument("config", type=Path, help=_CONFIG_HELP)
    att.add_argument(
        "--headless", action="store_true", help="print the phases; exit 0 when every followed migration succeeded"
    )
    att.add_argument("--read-only", action="store_true", help="refuse every action (kill, nimadm -C, retry)")
    att.add_argument("--theme", metavar="NAME", help=_THEME_HELP)

    runs = sub.add_parser("runs", help="the past runs of CONFIG's journal, newest first")
    runs.add_argument("config", type=Path, help=_JOURNAL_CONFIG_HELP)
    runs.add_argument("--format", choices=("text", "json"), default="text", help=_FORMAT_HELP)

    rep = sub.add_parser("report", help="the record of a run: per host outcome, steps, phases, actions, rollbacks")
    rep.add_argument("config", type=Path, help=_JOURNAL_CONFIG_HELP)
    rep.add_argument("run_id", metavar="RUN_ID", help="a run id (`cockpit runs CONFIG`) or `latest`")
    rep.add_argument(
        "--kind",
        choices=("migration", "rollback", "any"),
        default="migration",
        help="what `latest` is: the last migration (default), the last rollback or back-out, or the last run",
    )
    rep.add_argument(
        "--format",
        choices=("md", "json", "junit"),
        default="md",
        help="md for people (default), json for tools, junit for CI dashboards",
    )
    rep.add_argument("--output", type=Path, metavar="FILE", help="write it to FILE instead of stdout")

    watch = sub.add_parser("watch", help="watch a run another cockpit drives (read-only, from its journal)")
    watch.add_argument("config", type=Path, help=_JOURNAL_CONFIG_HELP)
    watch.add_argument("--run", metavar="RUN_ID", help="default: the latest unfinished migration, else the latest")
    watch.add_argument("--theme", metavar="NAME", help=_THEME_HELP)

    replay = sub.add_parser("replay", help="show a past run in the cockpit as it ended (read-only)")
    replay.add_argument("config", type=Path, help=_JOURNAL_CONFIG_HELP)
    replay.add_argument("run_id", metavar="RUN_ID", help="a run id (`cockpit runs CONFIG`) or `latest`")
    replay.add_argument("--theme", metavar="NAME", help=_THEME_HELP)

    chk = sub.add_parser("check", help="preflight every host; exit 0 go, 1 no-go")
    chk.add_argument("config", type=Path, help=_CONFIG_HELP)
    chk.add_argument("--format", choices=("text", "json"), default="text", help=_FORMAT_HELP)
    chk.add_argument(
        "--progress",
        action="store_true",
        help="a progress line on stderr every second even when stderr is not a terminal (on one: always)",
    )
    chk.add_argument(
        "--waive",
        action="append",
        default=[],
        metavar="CHECK@HOST=REASON",
        help="accept a finding on one host with a reason (journaled with your user and SSH key; ends with the "
        "plan's window, else after 12 hours; `cockpit waivers` lists and revokes); CHECK@* is every host",
    )
    chk.add_argument(
        "--until",
        metavar="'YYYY-MM-DD HH:MM'",
        help="when the waivers given end (local time; not after the plan's window, at most 7 days ahead)",
    )
    chk.add_argument("--all-hosts", action="store_true", help="confirm a waiver of every host (--waive CHECK@*=REASON)")

    wv = sub.add_parser("waivers", help="the waivers of CONFIG's journal: in force, expired, revoked; --revoke one")
    wv.add_argument("config", type=Path, help=_JOURNAL_CONFIG_HELP)
    wv.add_argument("--format", choices=("text", "json"), default="text", help=_FORMAT_HELP)
    wv.add_argument(
        "--revoke",
        action="append",
        default=[],
        metavar="CHECK@HOST",
        help="revoke the waiver in force of CHECK on HOST (CHECK@*: the one of every host); journaled",
    )

    rb = sub.add_parser(
        "rollback",
        help="roll migrated clients back to the previous system; exit 0 only when verified",
        description="Show where each host stands and the exact rollback commands; --yes runs them. "
        "For a cluster runbook (hacws, linuxha) it is the runbook's back-out steps on every node.",
    )
    rb.add_argument("config", type=Path, help=_CONFIG_HELP)
    rb.add_argument(
        "--host", action="append", default=[], metavar="NAME", help="a client (repeat for several; clusters: all nodes)"
    )
    rb.add_argument("--yes", action="store_true", help="run the steps (without it nothing is changed; exit 2)")
    rb.add_argument("--reboot", action="store_true", help="reboot into the previous system now (shutdown -Fr)")
    rb.add_argument(
        "--cleanup", action="store_true", help="after a verified rollback, remove the migrated system from its disk"
    )
    rb.add_argument("--disk", metavar="HDISK", help="the disk you expect to boot (refused if it cannot boot it)")
    rb.add_argument(
        "--reboot-timeout",
        type=float,
        default=1800.0,
        metavar="SECONDS",
        help="how long a rebooted host may take to answer again (default 1800)",
    )
    rb.add_argument(
        "--headless", action="store_true", help="no TUI (the guided wizard is `b` on a host in the cockpit)"
    )

    val = sub.add_parser("validate", help="check a config file; exit 0 valid, 2 invalid")
    val.add_argument("config", type=Path, help=_CONFIG_HELP)

    srv = sub.add_parser(
        "serve",
        help="the demo cockpit in a browser (textual-serve, on 127.0.0.1 only)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    srv.epilog_from = _scenario_list
    srv.add_argument("--port", type=int, default=8000, help="TCP port on 127.0.0.1 (default 8000)")
    srv.add_argument("--scenario", default="demo", help="simulator scenario of each tab's demo (default: demo)")
    srv.add_argument("--hosts", type=int, metavar="N", help="number of simulated clients (default: the scenario's)")

    sch = sub.add_parser("schema", help="print the JSON Schema of the config file (for editors)")
    sch.add_argument("--output", type=Path, metavar="FILE", help="write it to FILE instead of stdout")

    dg = sub.add_parser("diagnose", help="phases, outcome, known errors and fixes of a saved nimadm/alt_disk log")
    dg.add_argument("logfile", type=Path, help="a saved nimadm, alt_disk_copy or alt_disk_mksysb log (or its output)")
    dg.add_argument("--format", choices=("text", "json"), default="text", help=_FORMAT_HELP)

    ex = sub.add_parser("explain", help="what an AIX message means, its fix and sources (--list: the catalogue)")
    ex.add_argument("code", nargs="?", metavar="CODE", help="a message code, e.g. 0516-404")
    ex.add_argument("--list", action="store_true", dest="list_all", help="every message the catalogue knows")
    ex.add_argument("--format", choices=("text", "json"), default="text", help=_FORMAT_HELP)

    sim = sub.add_parser(
        "sim",
        help="serve a simulated AIX fleet on 127.0.0.1 in the foreground",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sim.epilog_from = _scenario_list
    sim.add_argument(
        "scenario", nargs="?", default="demo", help="one of those below, or a scenario file (default: demo)"
    )
    sim.add_argument("--inventory-out", type=Path, help="write the fleet's inventory (a config file) here")
    sim.add_argument("--workdir", type=Path, help="keep the fleet's keys and state here (default: a temp dir)")
    sim.add_argument("--hosts", type=int, metavar="N", help="number of simulated clients")
    sim.add_argument(
        "--shell", choices=("dash", "mksh", "ksh93"), help="the hosts' shell (default: the scenario's, else dash)"
    )
    sim.add_argument("--busybox", action="store_true", help="busybox tools first on PATH (no GNU-only options)")
    sim.add_argument("--exit-with-parent", action="store_true", help=argparse.SUPPRESS)
    sim.add_argument("--remove-workdir", action="store_true", help=argparse.SUPPRESS)
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
    except (Exception, KeyboardInterrupt) as exc:
        from cockpit.commands.errors import handle

        return handle(exc, config=getattr(args, "config", None))


def _dispatch(args: argparse.Namespace) -> int:
    """The command named on the command line, from cockpit/commands/ (imported only when it runs)."""
    if args.command == "validate":
        from cockpit.commands import validate

        return validate.run(args.config)
    if args.command == "serve":
        if not 0 < args.port < 65536:
            raise UsageError(f"serve: --port {args.port} is not a TCP port (1-65535)")
        from cockpit.commands import serve

        return serve.run(args.port, args.scenario, args.hosts)
    if args.command == "schema":
        from cockpit.commands import schema

        return schema.run(args.output)
    if args.command == "run" and args.read_only:
        from cockpit.commands.tui import observe

        return observe.run(args.config, None, follow=True, theme=args.theme)
    if args.command in ("watch", "replay"):
        from cockpit.commands.tui import observe

        run_id = args.run if args.command == "watch" else args.run_id
        return observe.run(args.config, run_id, follow=args.command == "watch", theme=args.theme)
    if args.command == "attach":
        from cockpit.commands import attach

        return attach.run(args.config, headless=args.headless, read_only=args.read_only, theme=args.theme)
    if args.command == "runs":
        from cockpit.commands import runs
        from cockpit.config.loader import load_config

        return runs.run(load_config(args.config).state_dir, args.format)
    if args.command == "report":
        from cockpit.commands import report
        from cockpit.config.loader import load_config

        return report.run(load_config(args.config).state_dir, args.run_id, args.format, args.output, kind=args.kind)
    if args.command == "run":
        from cockpit.commands import run

        return run.run(
            args.config,
            headless=args.headless,
            dry_run=args.dry_run,
            resume=args.resume,
            gate=not args.no_preflight,
            theme=args.theme,
            break_locks=tuple(args.break_lock),
        )
    if args.command == "check":
        from cockpit.commands import check

        return check.main(args.config, args.format, args.waive, args.until, args.all_hosts, progress=args.progress)
    if args.command == "waivers":
        from cockpit.commands import waivers

        return waivers.main(args.config, args.format, args.revoke)
    if args.command == "diagnose":
        from cockpit.commands import diagnose

        return diagnose.run(args.logfile, args.format)
    if args.command == "explain":
        from cockpit.commands import explain

        return explain.run(args.code, list_all=args.list_all, fmt=args.format)
    if args.command == "rollback":
        from cockpit.commands import rollback

        options = rollback.Options(
            hosts=tuple(dict.fromkeys(args.host)),
            yes=args.yes,
            reboot=args.reboot,
            cleanup=args.cleanup,
            disk=args.disk,
            headless=args.headless,
            reboot_timeout=args.reboot_timeout,
        )
        return rollback.main(args.config, options)
    if args.command == "sim":
        from cockpit.commands import sim

        return sim.run(
            args.scenario,
            args.inventory_out,
            args.workdir,
            args.hosts,
            args.shell,
            args.busybox,
            exit_with_parent=args.exit_with_parent,
            remove_workdir=args.remove_workdir,
        )
    if args.command == "demo":
        from cockpit.commands import attach, demo
        from cockpit.commands import run as run_command

        return demo.run(
            run_command.run,
            args.scenario,
            args.hosts,
            headless=args.headless,
            theme=args.theme,
            gate=not args.no_preflight,
            keep=args.keep,
            exit_with_parent=args.exit_with_parent,
            attach_cockpit=attach.run,
        )
    raise UsageError(f"unknown command {args.command}")


if __name__ == "__main__":
    raise SystemExit(main())
