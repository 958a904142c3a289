"""The preflight screen: the go / no-go matrix, a finding's detail, and fix / waive / re-check / start.

Every action that changes a host (a fix) or the gate (a waiver, the start) goes through a modal that
shows exactly what will happen and where. One operation runs at a time (`busy`), in a worker on this
screen, so the matrix never shows a mix of two answers.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable

from cockpit.config.models import NimadmPlan
from cockpit.domain.preflight import Finding, Status, evaluate_fleet
from cockpit.domain.preflight.waiving import WaiverError, stamp
from cockpit.domain.window import Window
from cockpit.ui.asks import every_host_waiver_ask, fix_ask, start_ask
from cockpit.ui.control_actions import Outcome
from cockpit.ui.preflight_content import cell_detail, client_detail, outcome_lines, status_content, verdict_content
from cockpit.ui.preflight_present import QUIET, PreflightMatrix, fix_steps, fixable, where
from cockpit.ui.present import countdown_short
from cockpit.ui.screens.confirm import ConfirmScreen, Report
from cockpit.ui.screens.waive import WaiveAnswer, WaiveScreen
from cockpit.ui.screens.waivers import WaiversScreen
from cockpit.ui.widgets.finding_detail import FindingDetail
from cockpit.ui.widgets.key_footer import KeyFooter
from cockpit.ui.widgets.preflight_header import PreflightHeader, legend_pieces, scroll_cue
from cockpit.ui.widgets.preflight_matrix import PreflightMatrixTable
from cockpit.ui.widgets.priority_line import PriorityLine

if TYPE_CHECKING:
    from cockpit.engine.journal import WaiverRecord
    from cockpit.engine.preflight import FixOutcome, PreflightProgress, PreflightReport, PreflightService

StartRun = Callable[[Mapping[str, str]], None]
"""Starts the migration run with the gate's decision: target -> why it must not start."""


class PreflightScreen(Screen[None]):
    FOOTER_ORDER: ClassVar[tuple[str, ...]] = ("select_cursor", "fix", "waive", "start", "recheck", "quit", "waivers")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f", "fix", "Apply fix"),
        Binding("w", "waive", "Waive"),
        Binding("W", "waivers", "Waivers"),
        Binding("r", "recheck", "Re-check all"),
        Binding("s", "start", "Start run"),
        Binding("escape", "focus_matrix", "Matrix", show=False),
    ]

    CSS_PATH = "preflight.tcss"

    def __init__(
        self,
        service: PreflightService,
        title: str,
        start_run: StartRun,
        *,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__()
        self._wall_clock = wall_clock
        self.service = service
        self.title_text = title
        self._start_run = start_run
        config = service.config
        if not isinstance(config.plan, NimadmPlan):  # cockpit run makes a preflight service only for one
            raise ValueError(f"the preflight screen needs a nimadm plan, not runbook {config.plan.runbook}")
        self._config = config
        self.master = ", ".join(config.plan.master_names)
        """The NIM master(s), as text (several: each client's own is `master_of(client)`)."""
        self.clients = list(config.targets)
        w = config.plan.window
        # The window ticks while the operator reads the matrix: the header counts it down too.
        self.window = Window(w.epoch(w.start), w.epoch(w.end), w.epoch(w.cutoff) if w.cutoff else None) if w else None
        self.report: PreflightReport | None = None
        self.matrix: PreflightMatrix | None = None
        self.busy: str | None = None
        """What is under way ("checking 9 hosts…"), None when the screen is idle."""
        self.status = ""
        self.last_fix: dict[tuple[str, str], list[FixOutcome]] = {}
        self._fixing = False
        # Held, not queried: workers report into them.
        self.header = PreflightHeader()
        self.table = PreflightMatrixTable(id="matrix")
        self.legend = PriorityLine(id="legend")
        self.detail = FindingDetail(id="detail")

    def compose(self) -> ComposeResult:
        yield self.header
        yield self.table
        yield self.legend
        yield self.detail
        yield KeyFooter()

    def on_mount(self) -> None:
        self._show_legend()
        self.table.focus()
        self.check()
        if self.window is not None:
            self.set_interval(1.0, self._show_header)

    # -- state -------------------------------------------------------------------------------

    @property
    def ready(self) -> bool:
        """A report is on screen and nothing is running."""
        return self.report is not None and self.busy is None

    @property
    def fixing(self) -> bool:
        """A fix's commands are running on a host right now."""
        return self._fixing

    def _set_busy(self, what: str | None) -> None:
        self.busy = what
        self._show_header()
        self.refresh_bindings()

    def _show_header(self) -> None:
        window = None
        if self.window is not None:
            now = self._wall_clock()
            window = (self.window.countdown(now), countdown_short(self.window, now))
        self.header.show_preflight(self.title_text, self.busy or self.status, self.matrix, window)

    def master_of(self, client: str) -> str:
        """The NIM master that migrates `client`."""
        return self._config.plan.master_of(client) or self.master

    def _refused(self) -> bool:
        if self.busy is not None:
            self.notify(f"Wait: {self.busy}", severity="warning")
            return True
        return False

    def _hosts(self, clients: Sequence[str] | None) -> str:
        if clients is None:
            hosts = {*self.clients, *self._config.plan.master_names}
            return f"checking {len(hosts)} hosts…"
        return f"re-checking {', '.join(clients)} (and {self.master})…"

    # -- checking ----------------------------------------------------------------------------

    def check(self, clients: Sequence[str] | None = None) -> None:
        """Run the checks (all clients, or some again) in a worker; the matrix follows."""
        wanted = list(clients) if clients is not None else None
        self._set_busy(self._hosts(wanted))  # now, not when the worker starts: no second check sneaks in
        self._check(wanted)

    @work(group="preflight", exit_on_error=False)
    async def _check(self, clients: list[str] | None) -> None:
        await self._recheck(clients)

    async def _recheck(self, clients: list[str] | None) -> PreflightReport | None:
        self._set_busy(self._hosts(clients))
        if self.matrix is None:
            self.detail.show(
                "preflight",
                f"Asking {self.master} and {len(self.clients)} clients ({', '.join(self.clients)}) about every "
                "check at once. The matrix appears when every host has answered.",
            )
        self.table.mark_checking(clients if clients is not None else self.clients)
        what, shown_at = self.busy, 0.0

        def progress(p: PreflightProgress) -> None:
            nonlocal shown_at
            now = time.monotonic()
            if now - shown_at >= 0.25:  # thousands of answers a second: the header at 4 Hz
                shown_at = now
                self._set_busy(f"{what} {p.line()}")

        try:
            report = await self.service.check(clients, on_progress=progress)
        except Exception as exc:  # shown, never swallowed; the operator can press r again
            self.table.mark_checking(())
            self.status = f"check failed: {type(exc).__name__}: {exc}"
            self.notify(f"{type(exc).__name__}: {exc}", title="The preflight could not run", severity="error")
            self._set_busy(None)
            return None
        self._show(report)
        self._set_busy(None)
        return report

    def _show(self, report: PreflightReport) -> None:
        self.report = report
        self.matrix = PreflightMatrix.build(report.findings, report.verdict)
        clients = len(self.matrix.clients)
        self.status = f"{clients} clients, {clients - len(self.matrix.go_clients())} blocked"
        self.table.show(self.matrix)
        self._show_detail()

    @on(PreflightMatrixTable.ColumnsMoved)
    def _show_legend(self) -> None:
        """The glyphs' meanings, and the cue when check columns are out of view (a narrow terminal)."""
        matrix = self.matrix
        left, right = self.table.hidden_columns()
        loud = set()
        if matrix is not None:
            loud = {k for k in matrix.checks if any(matrix.status(c, k) not in QUIET for c in matrix.clients)}
        self.legend.show(legend_pieces(), scroll_cue(left, right, loud))

    # -- the detail panel ----------------------------------------------------------------------

    @on(DataTable.CellHighlighted, "#matrix")
    def _highlighted(self, event: DataTable.CellHighlighted) -> None:
        self._show_detail()

    @on(DataTable.CellSelected, "#matrix")
    def _selected(self, event: DataTable.CellSelected) -> None:
        event.stop()
        self._show_detail()
        self.detail.focus()

    def _show_detail(self) -> None:
        matrix = self.matrix
        key = self.table.cursor_key()
        if matrix is None or key is None:
            return
        client, column = key
        if column in matrix.checks:
            content = cell_detail(
                matrix, client, column, self.master_of(client), self.last_fix.get((client, column), ())
            )
            self.detail.show(f"{column} · {client}", content)
        else:
            self.detail.show(client, client_detail(matrix, client, self.master_of(client)))

    def action_focus_matrix(self) -> None:
        self.table.focus()

    def _cell(self) -> tuple[str, str] | None:
        """(client, check) under the cursor, or None (and a hint) on the name or verdict column."""
        key = self.table.cursor_key()
        if self.matrix is None or key is None or key[1] not in self.matrix.checks:
            self.notify("Move the cursor onto a check's cell first.", severity="warning")
            return None
        return key

    # -- fix -----------------------------------------------------------------------------------

    def action_fix(self) -> None:
        if self._refused() or (cell := self._cell()) is None:
            return
        client, check = cell
        assert self.matrix is not None
        findings = fixable(self.matrix.findings(client, check))
        if not findings:
            hints = [f.remediation.hint for f in self.matrix.findings(client, check) if f.remediation.hint]
            why = f" {hints[0]}" if hints else ""
            self.notify(f"{check} on {client}: no command to run from here.{why}", severity="warning", timeout=10)
            return
        hosts = sorted({f.host for f in findings})
        subject = f"the fix for {check} on {', '.join(where(h, client, self.master_of(client)) for h in hosts)}"
        steps = fix_steps(findings)
        # A destructive fix asks for the name of the host it deletes on (the row's client when it is one).
        deleting = sorted({s.command.host for s in steps if s.destructive}) or hosts
        host = client if client in deleting else deleting[0]

        async def perform(_value: str, progress: Report) -> Outcome:
            return await self._apply_fix(client, check, findings, progress)

        self.app.push_screen(ConfirmScreen(fix_ask(subject, steps, host, perform)))

    async def _apply_fix(self, client: str, check: str, findings: list[Finding], progress: Report) -> Outcome:
        """Run the fix's commands (stopping at the first that fails), then re-check: all said in `progress`."""
        self._set_busy(f"fixing {check} for {client}…")
        steps = fix_steps(findings)
        outcomes: list[FixOutcome] = []
        self._fixing = True
        try:
            for finding in findings:
                done = await self.service.apply_fix(finding)
                outcomes += done
                if not all(o.ok for o in done):
                    break  # the service stops at a failed command; so does the next finding's fix
        except Exception as exc:  # a fix that could not run is reported, never swallowed
            progress.line(Content.styled(f"the fix could not run: {type(exc).__name__}: {exc}", "bold $error"))
        finally:
            self._fixing = False
        self.last_fix[(client, check)] = outcomes
        for line in outcome_lines(outcomes, steps[len(outcomes) :]):
            progress.line(line)
        # A fix on the master changes every row that lists the same master finding.
        clients = [client]
        for f in findings:
            if self.matrix is not None and f.host != client:
                clients += [c for c in self.matrix.clients_with(check, f.host) if c not in clients]
        progress.pending(f"re-checking {', '.join(clients)}…")
        rechecked = await self._recheck(clients)
        if rechecked is not None and self.matrix is not None:
            for c in clients:
                progress.line(
                    Content.assemble(
                        "re-check: ",
                        (check, "bold"),
                        f" on {c} ",
                        status_content(self.matrix.status(c, check)),
                        f" · {c} ",
                        verdict_content(self.matrix.decision(c)),
                    )
                )
        else:
            progress.line(Content.styled("the re-check failed: press r to check again", "bold $error"))
        complete = len(outcomes) == len(steps) and all(o.ok for o in outcomes)
        if not complete:
            self.notify(f"The fix for {check} on {client} did not complete.", severity="error", timeout=10)
        return Outcome(complete, ())

    # -- waive ---------------------------------------------------------------------------------

    def action_waive(self) -> None:
        if self._refused() or (cell := self._cell()) is None:
            return
        client, check = cell
        assert self.matrix is not None
        findings = [f for f in self.matrix.findings(client, check) if f.status is not Status.PASS]
        open_ = [f for f in findings if f.waiver is None and f.status is not Status.ERROR]
        if not open_:
            if any(f.status is Status.ERROR for f in findings):
                what = "could not be checked: an error is never waived (nothing was judged); re-check with r"
            else:
                what = "is already waived" if findings else "passes: nothing to waive"
            self.notify(f"{check} on {client} {what}.", severity="warning", timeout=10)
            return

        def answered(answer: WaiveAnswer | None) -> None:
            if answer is None:
                return
            if not answer.every_host:
                self._set_busy(f"waiving {check} for {client}…")
                self._waive(client, check, answer.reason)
                return
            covered, untouched = self._every_host(check)

            def confirmed(yes: bool | None) -> None:
                if yes:
                    self._set_busy(f"waiving {check} on every host…")
                    self._waive(None, check, answer.reason)

            ask = every_host_waiver_ask(check, answer.reason, covered, untouched, self._terms(None))
            self.app.push_screen(ConfirmScreen(ask), confirmed)

        self.app.push_screen(
            WaiveScreen(check, client, open_, self.master_of(client), terms=self._terms(client)), answered
        )

    def _terms(self, host: str | None) -> str:
        """When a waiver given now ends, and who is recorded (or why the rules would refuse it)."""
        try:
            ends = stamp(self.service.book.expires_at())
        except WaiverError as exc:
            return f"It would be refused: {exc}."
        until = "the end of the plan's window" if self.window is not None else "12 hours from now"
        key = self.report.key_for(host) if self.report is not None else None
        who = f"{self.service.operator}" + (f" and the SSH key {key}" if key else "")
        return f"It ends at {ends} ({until}) or when revoked (W); journaled with {who}."

    def _every_host(self, check: str) -> tuple[list[str], list[str]]:
        """What a waiver of `check` on every host would cover now (`host: summary`), and the hosts whose
        finding is an error (never covered)."""
        covered: list[str] = []
        untouched: list[str] = []
        if self.matrix is None:
            return covered, untouched
        for client in self.matrix.clients:
            for f in self.matrix.findings(client, check):
                line = f"{f.host}: {f.summary}"
                if f.status is Status.ERROR:
                    untouched += [f.host] if f.host not in untouched else []
                elif f.status is not Status.PASS and f.waiver is None and line not in covered:
                    covered.append(line)
        return covered, untouched

    @work(group="preflight", exit_on_error=False)
    async def _waive(self, client: str | None, check: str, reason: str) -> None:
        """Journal the waiver (client None: every host, confirmed), then re-check what it changes."""
        try:
            asked = self.service.book.ask_for(check, client, reason)
            waiver = self.service.waive(asked, every_host_confirmed=client is None)
        except Exception as exc:  # a window that is over, a reason of escapes only: said, not swallowed
            self.notify(str(exc), title="The waiver was not recorded", severity="error", markup=False)
            self._set_busy(None)
            return
        until = f" until {stamp(waiver.expires_at)}" if waiver.expires_at is not None else ""
        where = f"for {client}" if client is not None else "on every host"
        self.notify(f"{check} waived {where}{until}: {waiver.reason}", markup=False)
        if client is not None:
            await self._recheck([client])
        else:
            self._reverdict()
            self._set_busy(None)

    # -- the waivers in force ------------------------------------------------------------------

    def action_waivers(self) -> None:
        if self._refused():
            return

        def revoke(waiver: WaiverRecord) -> None:
            where = waiver.host or "every host"
            if self.service.revoke(waiver.id):
                self.notify(f"Revoked the waiver of {waiver.check} on {where}.", markup=False)
            else:
                self.notify(f"The waiver of {waiver.check} on {where} was no longer in force.", severity="warning")
            self._reverdict()

        self.app.push_screen(WaiversScreen(self.service.waivers_in_force, revoke))

    def _reverdict(self) -> None:
        """The verdict again from the findings on screen and the waivers in force now (no host is asked)."""
        if self.report is not None:
            self._show(replace(self.report, verdict=evaluate_fleet(self.report.findings, self.service.waivers())))

    # -- re-check, start -----------------------------------------------------------------------

    def action_recheck(self) -> None:
        if not self._refused():
            self.check()

    def action_start(self) -> None:
        if self._refused():
            return
        if self.report is None:
            self.notify("No preflight answer yet: press r to check, then start.", severity="warning")
            return
        blocked = self.service.blocked(self.report)
        go = [c for c in self.clients if c not in blocked]
        if not go:
            self.notify("Every client is blocked: fix or waive a finding first.", severity="error")
            return

        def answered(start: bool | None) -> None:
            if start:
                self._start_run(blocked)

        reasons: dict[str, list[str]] = {}
        for client, why in blocked.items():
            hv = self.matrix.host_verdict(client) if self.matrix is not None else None
            reasons[client] = hv.reasons if hv is not None and hv.reasons else [why]
        self.app.push_screen(
            ConfirmScreen(start_ask(self.master, go, reasons, window=self.window, now=self._wall_clock)), answered
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("fix", "waive", "start"):
            return True if self.report is not None else None  # shown dimmed until the first answer
        return True
