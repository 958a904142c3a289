"""SIGTERM while the event loop is busy in a callback still stops a headless command, through its
coroutines' finally blocks (run_until_signalled). A Python signal handler that raises there is caught
by the loop and only logged: the command would carry on as if no signal had come."""

from __future__ import annotations

import subprocess
import sys
import textwrap

PROGRAM = textwrap.dedent(
    """
    import asyncio, os, signal, sys, time
    from cockpit.commands.signals import Terminated, run_until_signalled, stop_on_signals

    def busy():  # a callback that holds the loop, as the engine's chunk handling does
        t = time.monotonic()
        while time.monotonic() - t < 0.05:
            pass

    async def main():
        loop = asyncio.get_running_loop()
        try:
            for i in range(60):
                loop.call_soon(busy)
                if i == 5:
                    loop.call_soon(os.kill, os.getpid(), signal.SIGTERM)  # lands inside a callback
                await asyncio.sleep(0.06)
            return "went on"
        finally:
            print("finally ran", flush=True)

    with stop_on_signals():
        try:
            print(RUN(main()), flush=True)
        except Terminated as exc:
            print(f"terminated {exc.signum}", flush=True)
    """
)


def run(runner: str) -> list[str]:
    program = PROGRAM.replace("RUN", runner)
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=False)
    return done.stdout.splitlines()


def test_sigterm_inside_a_callback_stops_the_run_through_its_finally_blocks() -> None:
    assert run("run_until_signalled") == ["finally ran", "terminated 15"]


def test_the_plain_handler_would_have_let_it_run_on() -> None:
    # The flaw this guards against, shown on the same program: the signal is lost inside the loop.
    assert run("asyncio.run") == ["finally ran", "went on"]
