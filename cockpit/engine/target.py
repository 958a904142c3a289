"""One target's steps: run each (kept on its host, or attached: domain/remote_step.py), follow its
output, read its progress.

The steps come from the runbook (engine/binding.py); each runs on its own host (the NIM master for
nimadm, the target itself for alt_disk_copy, a cluster node ...). A step with the nimadm parser is
judged by its phase banners and error codes; every other step by its runbook `expect` (exit status,
output patterns). After a failure the operator can retry from a step, or for nimadm from phase N
(`nimadm ... -P N` .. `-P 12` as separate steps). All output goes to one log per target, so the log
reads like one run with a gap where it stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from cockpit.domain.alt_disk import AltDiskTracker
from cockpit.domain.foreign_log import ADOPTED_END
from cockpit.domain.models import TargetState
from cockpit.domain.nimadm import PHASES, NimadmTracker
from cockpit.domain.step_check import StepJudge
from cockpit.engine.backlog import Backlog
from cockpit.engine.binding import StepSpec
from cockpit.engine.follow import AlreadyStarted, FollowPolicy, StepCutOff, StepFollower
from cockpit.engine.target_feed import TargetFeed
from cockpit.transports.base import Transport, TransportError

GUARD_TIMEOUT = 60.0

TransportFor = Callable[[StepSpec], Transport]


class TargetRunner(TargetFeed):
    """Runs one target's steps, each on its host, and keeps `progress` current."""

    # -- running --------------------------------------------------------------------------------
    async def run(
        self,
        transport: Transport | TransportFor,
        steps: Sequence[StepSpec],
        policy: FollowPolicy,
        *,
        resume: bool = False,
        final: bool = True,
    ) -> bool:
        """Run `steps` in order; stop at the first that does not succeed. Resume re-attaches.

        `transport` is one transport for every step, or a factory giving each step the transport to
        its host (opened once per host and closed at the end). With `final` the target ends
        SUCCEEDED after the last step; without it (lockstep runbooks, one step at a time) it stays
        running. Returns True when every step succeeded (or was skipped).
        """
        p = self.progress
        if resume:
            self._prime_from_log()
        p.state, p.finished_at, p.error, p.exit_status = TargetState.RUNNING, None, None, None
        if p.started_at is None:
            p.started_at = self.clock()
        opened: dict[str, Transport] = {}

        def transport_of(spec: StepSpec) -> Transport:
            if isinstance(transport, Transport):
                return transport
            key = spec.host.name if spec.host is not None else ""
            if key not in opened:
                opened[key] = transport(spec)
            return opened[key]

        try:
            for spec in steps:
                self.current = spec
                record = self.journal.step(self.run_id, p.name, spec.name)
                if record is not None and record.state == "skipped":
                    continue
                if record is not None and record.exit_status is not None and record.finished_at is not None:
                    # Finished before a restart: judged then, never run again.
                    if record.state != TargetState.SUCCEEDED.value:
                        self._conclude_from(record.exit_status, spec)
                        return False
                    continue
                launched = record is not None and record.launched_at is not None
                self._begin(spec)
                if not launched and spec.guard is not None:
                    verdict = await self._guard(transport_of(spec), spec)
                    if verdict == "skip":
                        continue
                    if verdict == "refuse":
                        return False
                prepare = self._siblings(spec, steps) if spec.attached and not launched else ()
                status = await self._run_one(transport_of(spec), spec, policy, launched, prepare)
                if status is None:
                    return False  # unreachable or refused: already announced
                try:
                    judged = self._judge_step(status, spec, final=final and spec is steps[-1])
                finally:
                    self._at = None  # a re-attached step's end was dated by its host: the next is live
                if not judged:
                    return False
            if final and steps and p.state is not TargetState.SUCCEEDED:
                p.exit_status = p.exit_status if p.exit_status is not None else 0
                self.finish(TargetState.SUCCEEDED)  # the last steps were all skipped
            self.current = None
            return True
        finally:
            self.logs.close(p.name)
            for t in opened.values():
                with contextlib.suppress(Exception):
                    await t.close()

    @staticmethod
    def _siblings(spec: StepSpec, steps: Sequence[StepSpec]) -> list[str]:
        """The directories of the attached steps after `spec` on its host: its script makes them too."""
        later = list(steps)[list(steps).index(spec) + 1 :]
        host = spec.host.name if spec.host is not None else None
        return [
            s.remote.directory
            for s in later
            if s.attached and (s.host.name if s.host is not None else None) == host and s.remote != spec.remote
        ]

    def _begin(self, spec: StepSpec) -> None:
        """A step of a step-by-step runbook starts: the progress column moves to it."""
        if spec.adopted is not None:
            # Followed from the start of its run in its own log: the phases it passed come first.
            found = spec.adopted.found
            before = found.first_phase - 1 or None
            self._tracker = NimadmTracker(phase=before) if found.kind == "nimadm" else AltDiskTracker(phase=before)
            self.progress.phase = before
            return
        if spec.check is None:
            return  # nimadm: the phase banners move the progress
        self._judge = StepJudge(spec.check)
        p = self.progress
        p.phase, p.phase_started_at, p.stall_reason = spec.index, self.clock(), None
        p.step = spec.title or spec.step_id
        if p.state is TargetState.STALLED:
            p.state = TargetState.RUNNING

    async def _guard(self, transport: Transport, spec: StepSpec) -> str:
        """Run the step's guard: "run" when it holds, else "skip" or "refuse" (announced)."""
        guard = spec.guard
        assert guard is not None
        p = self.progress
        try:
            result = await transport.run(guard.command, timeout=GUARD_TIMEOUT)
        except TransportError as exc:
            p.error = f"{spec.title or spec.name}: could not check before running: {exc}"
            self.finish(TargetState.UNREACHABLE, reason=str(exc))
            return "refuse"
        if guard.holds(result.ok, result.stdout):
            return "run"
        if guard.skip:
            self.announce(f"skipped {spec.step_id or spec.name}: {guard.reason}")
            self._journal(
                state="skipped", reason=guard.reason, finished_at=self.clock()
            )  # after: announce journals too
            return "skip"
        p.error = f"refused: {guard.reason}"
        self._journal(error=p.error, finished_at=self.clock())
        self.finish(TargetState.FAILED, reason=f"step {spec.step_id or spec.name} refused")
        return "refuse"

    async def _run_one(
        self,
        transport: Transport,
        spec: StepSpec,
        policy: FollowPolicy,
        launched: bool,
        prepare: Sequence[str] = (),
    ) -> int | None:
        """Run (or re-attach to) one step; its exit status, or None when the target ended otherwise.

        A fresh step is started and streamed over one channel. `prepare`: the directories of the
        target's later attached steps on the same host (made with this step's, see attached_script).
        """
        if spec.adopted is not None:
            return await self._follow_adopted(transport, spec, policy)
        p = self.progress
        follower = StepFollower(transport, spec.remote, policy, on_event=self._note)
        try:
            await transport.connect()
            # Only a step the journal launched can be there already: a fresh one goes straight to the
            # start script, which refuses a directory started before (one SSH session less per step).
            status = await follower.status() if launched else None
        except TransportError as exc:
            p.error = str(exc)
            self.finish(TargetState.UNREACHABLE, reason=str(exc))
            return None
        fresh = status is None or status.state == "absent"
        log_start = self._offset
        if fresh:
            if spec.check is not None:
                # Step-by-step runbooks: the log says where each step's output begins. Written
                # before log_start, so the remote byte offsets stay exact (and a resume finds it).
                self._marker(
                    f"=== step {spec.index}/{p.phases_total}: {spec.title} (on {transport.name}): {spec.command}"
                )
                log_start = self._offset
            # Journaled (with the announce below) before the step is started: crash-safe.
            self._hold(launched_at=self.clock(), log_start=log_start)
        else:
            record = self.journal.step(self.run_id, p.name, spec.name)
            log_start = record.log_start if record and record.log_start is not None else log_start
            if status is not None and status.kept:
                # What it printed meanwhile is dated by the host's record of it (backlog.py).
                self._backlog = await Backlog.read(transport, spec.remote.directory, self.clock)
                if self._backlog is not None and self._backlog.start is not None and spec.check is not None:
                    p.phase_started_at = self._backlog.start  # a step-by-step runbook: the step's own start
        self._remote_base = log_start
        now = self.clock()
        p.last_output_at = now
        p.phase_started_at = p.phase_started_at or now
        self.announce("re-attached" if not fresh else None)
        if self._held:
            self._journal()
        watchdog = asyncio.create_task(self._watch(), name=f"watchdog:{p.name}")
        try:
            if not fresh:
                assert status is not None
                if status.kept:
                    exit_status = await follower.follow(self._offset - log_start, self._chunk)
                else:
                    exit_status = await follower.settle(self._offset - log_start)
            elif spec.attached:
                exit_status = await follower.run_attached(spec.command, self._chunk, prepare=prepare)
            else:
                exit_status = await follower.run(spec.command, self._chunk)
        except AlreadyStarted:
            if launched:  # started by this run before a restart: follow it
                return await self._run_one(transport, spec, policy, launched=True)
            # A step the journal never launched must not adopt a directory it did not create.
            self._journal(launched_at=None)
            p.error = f"step directory {spec.remote.directory} already exists on {transport.name}"
            self.finish(TargetState.FAILED, reason=p.error)
            return None
        except StepCutOff as exc:
            self._lines(self._splitter.flush())
            p.error = str(exc)
            self._backlog = None
            self._journal(finished_at=self.clock(), byte_offset=self._offset)
            self.finish(TargetState.FAILED, reason="step cut off")
            return None
        except TransportError as exc:
            where = f" in {'step' if spec.check is not None else 'phase'} {p.phase}" if p.phase else ""
            p.error = f"lost {transport.name}{where}; the step may still be running there: {exc}"
            self.finish(TargetState.UNREACHABLE, reason=str(exc))
            return None
        finally:
            watchdog.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watchdog
        backlog, self._backlog = self._backlog, None
        # A step that had ended before the re-attach ended when its host says (its judging too).
        self._at = backlog.end if backlog is not None else None
        self._lines(self._splitter.flush())
        # Written with the verdict (`_judge_step`, called next with nothing awaited in between).
        self._hold(exit_status=exit_status, finished_at=self.now(), byte_offset=self._offset)
        return exit_status

    async def _follow_adopted(self, transport: Transport, spec: StepSpec, policy: FollowPolicy) -> int | None:
        """Follow a migration someone else started, from its own log, until its process ends."""
        assert spec.adopted is not None
        p, found = self.progress, spec.adopted.found
        follower = StepFollower(transport, spec.remote, policy, on_event=self._note)
        try:
            await transport.connect()
        except TransportError as exc:
            p.error = str(exc)
            self.finish(TargetState.UNREACHABLE, reason=str(exc))
            return None
        # Whose run this is, in the log (`cockpit diagnose` reads its values from this line too).
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.clock()))
        by = f"started by {found.proc.user}"
        self._marker(f"# {stamp} cockpit: attached to pid {found.pid} on {transport.name} ({by}): {found.proc.args}")
        log_start = self._offset
        self._journal(launched_at=spec.adopted.started_at or self.clock(), log_start=log_start)
        p.last_output_at = p.phase_started_at = self.clock()
        self.announce(f"attached to pid {found.pid} on {transport.name}")
        watchdog = asyncio.create_task(self._watch(), name=f"watchdog:{p.name}")
        try:
            await follower.follow(spec.adopted.offset + self._offset - log_start, self._chunk)
        except TransportError as exc:
            p.error = f"lost {transport.name}; the migration may still be running there: {exc}"
            self.finish(TargetState.UNREACHABLE, reason=str(exc))
            return None
        finally:
            watchdog.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watchdog
            self.logs.close(p.name)
        self._lines(self._splitter.flush())
        self._journal(finished_at=self.clock(), byte_offset=self._offset)
        return ADOPTED_END

    def _judge_step(self, exit_status: int, spec: StepSpec, *, final: bool) -> bool:
        """True when the step succeeded and the next may run; announces the target's end otherwise."""
        if spec.adopted is not None:
            # No exit status to read: its log says how it ended (as `cockpit diagnose` would).
            tracker = self._tracker
            if tracker.done and not tracker.errors:
                self.progress.warnings = tracker.warnings
                self._journal(state=TargetState.SUCCEEDED.value)
                self.finish(TargetState.SUCCEEDED)
                return True
            self._conclude_adopted(spec)
            return False
        if spec.check is not None:
            judge = self._judge or StepJudge(spec.check)
            ok = judge.error(exit_status) is None
            if ok and spec.record and judge.first_line:
                self.journal.record_fact(self.run_id, self.progress.name, spec.record, judge.first_line)
        else:
            tracker = self._tracker
            if spec.phase is None or spec.phase == PHASES:
                ok = exit_status == 0 and tracker.done and not tracker.errors
            else:
                ok = exit_status == 0 and not tracker.errors and tracker.phase == spec.phase
        if ok and not final:
            self._journal(state=TargetState.SUCCEEDED.value)
            return True
        if ok:
            self.progress.exit_status = exit_status
            self.progress.warnings = self._tracker.warnings if spec.check is None else []
            self.finish(TargetState.SUCCEEDED)  # its announce journals the state
            return True
        self._conclude_from(exit_status, spec)
        return False

    def _conclude_from(self, exit_status: int, spec: StepSpec) -> None:
        p, tracker = self.progress, self._tracker
        p.exit_status = exit_status
        if spec.check is not None:
            judge = self._judge if self._judge is not None and self._judge.check is spec.check else None
            why = judge.error(exit_status) if judge else None
            p.error = why or f"exited with status {exit_status}"
            p.phase = spec.index
            self.finish(TargetState.FAILED, reason=f"failed at step {spec.index}: {spec.title or spec.step_id}")
            return
        p.warnings = tracker.warnings
        p.error = tracker.error_line or f"{spec.command.split()[0]} exited with status {exit_status}"
        failed_in = tracker.failed_in_phase or p.phase
        self.finish(TargetState.FAILED, reason=f"failed in phase {failed_in}" if failed_in else "failed in pre-checks")

    def _conclude_adopted(self, spec: StepSpec) -> None:
        assert spec.adopted is not None
        p, tracker, found = self.progress, self._tracker, spec.adopted.found
        p.warnings = tracker.warnings
        where = tracker.failed_in_phase or p.phase
        total = found.phases_total
        p.error = tracker.error_line or (
            f"{found.kind} ended without finishing phase {total}: its log stops in phase {p.phase or '?'} "
            "(no exit status: the cockpit did not start it)"
        )
        self._journal(state=TargetState.FAILED.value, error=p.error)
        self.finish(TargetState.FAILED, reason=f"failed in phase {where}" if where else "failed in pre-checks")

    def restart_tracking(self, from_phase: int) -> None:
        """Before a retry from `from_phase` (a phase or a step): forget the failed attempt, keep the log."""
        self._tracker = NimadmTracker(phase=from_phase - 1 if from_phase > 1 else None)
        self._judge = None
        self.progress.phase = self._tracker.phase
        self.progress.phase_started_at = None
        self.progress.stall_reason = None

    def _prime_from_log(self) -> None:
        """After a restart: rebuild phase, errors and the line count from the local log file."""
        path: Path = self.logs.path(self.progress.name)
        data = path.read_bytes() if path.exists() else b""
        self._offset = len(data)
        lines = self._splitter.feed(data)
        for line in lines:
            self._tracker.feed(line)
        self._seq = len(lines)
        if self._tracker.phase is not None:
            self.progress.phase = self._tracker.phase

    def _note(self, text: str) -> None:
        self.announce(text)
