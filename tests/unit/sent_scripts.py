"""Every shell snippet the cockpit sends to a host, rendered with sample values, from one registry.

`SOURCES` is the list: each entry is a function that yields (name, script) pairs. A module that adds
commands sent to hosts (a host lock, a new probe ...) adds one function here and nothing else: the
shellcheck test (test_shellcheck.py) checks every script it yields in ksh mode.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from cockpit.config.runbook import RunbookFile
from cockpit.config.runbooks import builtin_names, load_runbook
from cockpit.domain import attach, host_lock, host_times, names, template, troubleshoot
from cockpit.domain import rollback as rb
from cockpit.domain.foreign_log import ForeignLog, watch_script
from cockpit.domain.preflight import batch
from cockpit.domain.preflight import commands as preflight_commands
from cockpit.domain.preflight.checks import ALL_CHECKS
from cockpit.domain.preflight.context import ClientContext
from cockpit.domain.remote_step import RemoteStep
from cockpit.engine.attach.discover import run_start_script

Sample = tuple[str, str]
STEP_DIR = "/var/tmp/cockpit/20261205-220000-001/lpar01.nimadm"
# One value per runbook parameter type, each of the shape the config accepts.
SAMPLE_VALUES = {
    "name": "spot_AIX72TL5",
    "disk": "hdisk2",
    "disks": "hdisk2 hdisk3",
    "vg": "datavg",
    "path": "/tmp/linuxha12-1.1.01-1.noarch.rpm",
    "file": "update_all",
    "version": "7.2.5.101",
    "word": "prodcl",
    "number": "3",
}
CONTEXT = ClientContext(
    client="lpar01",
    master="nim01",
    lpp_source="lpp_source_AIX72TL5",
    spot="spot_AIX72TL5",
    disks=("hdisk2",),
    nim_name="lpar01",
    cache_vg="cachevg",
)


def remote_step_scripts() -> Iterator[Sample]:
    step = RemoteStep(STEP_DIR)
    command = "nimadm -c lpar01 -l lpp_source_AIX72TL5 -s spot_AIX72TL5 -d hdisk2 -Y"  # as the runbook renders it
    yield "remote_step.run", step.run_script(command)
    yield "remote_step.wrapper", "\n".join(step._wrapper())
    yield "remote_step.attached", step.attached_script("lspv", [f"{STEP_DIR}-2", f"{STEP_DIR}-3"])
    yield "remote_step.stream@0", step.stream_script(0)
    yield "remote_step.stream@4096", step.stream_script(4096)
    yield "remote_step.follow", step.follow_script(4096, poll=1, idle_poll=2)
    for signal_name in ("INT", "TERM", "KILL"):
        yield f"remote_step.kill.{signal_name}", step.kill_script(signal_name)
    yield "remote_step.status", step.status_script()
    yield "engine.step_pid", names.command_line("cat", f"{STEP_DIR}/pid")


def preflight_probes() -> Iterator[Sample]:
    for check in ALL_CHECKS:
        for probe in check.probes(CONTEXT):
            yield f"preflight.{check.id}", probe.command
    yield "preflight.odmget_major", preflight_commands.odmget_major(43).command


def preflight_batch() -> Iterator[Sample]:
    probes = [probe.command for check in ALL_CHECKS for probe in check.probes(CONTEXT)]
    yield "preflight.batch", batch.batch_script(probes, "0123456789abcdef")


def preflight_fixes() -> Iterator[Sample]:
    c = preflight_commands
    yield "fix.startsrc_nimsh", c.startsrc_nimsh()
    yield "fix.nim_cust_fileset", c.nim_cust_fileset("lpp_source_AIX72TL5", "spot_AIX72TL5")
    yield "fix.save_odm_major", c.save_odm_major(43)
    yield "fix.save_dev_listing", c.save_dev_listing(43, ["/dev/hdisk9", "/dev/rhdisk9"])
    yield "fix.rm_file", c.rm_file("/dev/hdisk9")
    yield "fix.odmdelete_major", c.odmdelete_major(43)
    yield "fix.odmget_major", c.odmget_major_command(43)
    yield "fix.savebase", c.savebase()
    yield "fix.alt_rootvg_remove", c.alt_rootvg_remove("altinst_rootvg")
    yield "fix.chpv_clear", c.chpv_clear("hdisk2")
    yield "fix.multibos_remove", c.multibos_remove()
    yield "fix.rmsock", c.rmsock_holder("f1000f0000311bc0")


def runbook_templates() -> Iterator[Sample]:
    """Every command of the built-in runbooks (nimadm's run, phase retry and -C clean-up included)."""
    for name in builtin_names():
        runbook = load_runbook(name)
        values = _runbook_values(runbook)
        for kind, steps in (("step", runbook.steps), ("backout", runbook.backout)):
            for s in steps:
                yield f"runbook.{name}.{kind}.{s.id}", template.render(s.run, values)
                if s.phase_run:
                    yield f"runbook.{name}.{kind}.{s.id}.phase", template.render(s.phase_run, values)
                if s.guard:
                    yield f"runbook.{name}.{kind}.{s.id}.guard", template.render(s.guard.run, values)
                if s.undo:
                    yield f"runbook.{name}.{kind}.{s.id}.undo", template.render(s.undo, values)
        for p in runbook.probes:
            yield f"runbook.{name}.probe.{p.key}", template.render(p.run, values)
        for f in runbook.facts:
            yield f"runbook.{name}.fact.{f.key}", template.render(f.run, values)


def _runbook_values(runbook: RunbookFile) -> dict[str, str | None]:
    values: dict[str, str | None] = {n: spec.default or SAMPLE_VALUES[spec.type] for n, spec in runbook.params.items()}
    values.update(target="lpar01", nim_name="lpar01", master="nim01", phase="11")
    return values


def rollback_commands() -> Iterator[Sample]:
    for key, command in rb.READ_COMMANDS.items():
        yield f"rollback.read.{key}", command
    yield "rollback.boot_disk_query", rb.boot_disk_query("hdisk2")
    yield "rollback.bootlist", rb.bootlist_command(["hdisk0"])
    yield "rollback.reboot", rb.REBOOT_COMMAND
    yield "rollback.alive", "true"
    lspv = "hdisk0 00f6a07c1dc6aaaa rootvg active\nhdisk2 00f6a07c1dc6f18a altinst_rootvg\n"
    state = rb.read_state(
        "lpar01", lspv=lspv, bootlist="hdisk0 blv=hd5\n", oslevel="7100-05-03-1838\n", bootinfo="hdisk0\n"
    )
    for step in rb.cleanup_steps(state, ("hdisk2",)):
        yield f"rollback.{step.id}", step.command


def attach_scripts() -> Iterator[Sample]:
    """cockpit attach: the process table, NIM's state, the start of a run in a log, following it, the watch."""
    yield "attach.ps", attach.PS_COMMAND
    yield "attach.lsnim", attach.LSNIM_COMMAND
    procs = attach.parse_ps(
        "PID PPID USER ELAPSED COMMAND\n"
        " 4300 1 root 31:05 /usr/sbin/nimadm -c lpar01 -l lpp_source_AIX72TL5 -s spot_AIX72TL5 -d hdisk2 -Y\n"
        " 5300 1 root 01:05 alt_disk_copy -d hdisk1 -P 23\n"
    )
    nimadm = attach.find_migrations(procs, "nim01", attach.MASTER_KINDS)[0]
    copy = attach.find_migrations(procs, "lpar04", attach.CLIENT_KINDS)[0]
    yield "attach.run_start.nimadm", run_start_script(nimadm)
    yield "attach.run_start.alt_disk_copy", run_start_script(copy)
    follower = ForeignLog(nimadm.log, nimadm.pid, "/var/tmp/cockpit/attach")
    yield "attach.stream@0", follower.stream_script(0)
    yield "attach.stream@4096", follower.stream_script(4096)
    yield "attach.follow", follower.follow_script(4096, poll=1, idle_poll=2)
    for signal_name in ("INT", "TERM", "KILL"):
        yield f"attach.kill.{signal_name}", follower.kill_script(signal_name)
    yield "attach.watch", watch_script("/var/tmp/cockpit/attach", [4300, 5300], 2)
    if nimadm.cleanup is not None:
        yield "attach.cleanup.nimadm", nimadm.cleanup
    yield "attach.cleanup.alt_disk", str(copy.cleanup)


def troubleshoot_probes() -> Iterator[Sample]:
    for probe in troubleshoot.probes("lpar01"):
        yield f"troubleshoot.{probe.key}", probe.command
    yield "troubleshoot.step_processes", troubleshoot.step_probe_script(STEP_DIR)


def host_times_scripts() -> Iterator[Sample]:
    yield "host_times.read", host_times.read_script(STEP_DIR)
    yield "remote_step.run@1s", RemoteStep(STEP_DIR, mark_every=1).run_script("sleep 30")


def host_lock_scripts() -> Iterator[Sample]:
    """The lock of a target on the host its steps run on (domain/host_lock.py), as a run sends them."""
    lock = host_lock.HostLock("/var/tmp/cockpit", "lpar01")
    me = host_lock.Holder("root", "jump1", "20261205-220000-001", 4242, 1796515200, "0123456789abcdef")
    conflicts = (("nimadm", "-c", "lpar01"), ("alt_disk_copy",))
    take = lock.take_script(me, conflicts)
    yield "host_lock.take", take
    yield "host_lock.release", lock.release_script(me.token)
    yield "host_lock.break", lock.break_script("fedcba9876543210", me, conflicts)
    yield "host_lock.break_ownerless", lock.break_script(host_lock.NO_TOKEN, me)
    yield "host_lock.read", lock.read_script()
    yield (
        "host_lock.batch",
        host_lock.batch(
            [("lpar01", take), ("lpar02", host_lock.HostLock("/var/tmp/cockpit", "lpar02").take_script(me))]
        ),
    )


SOURCES: list[Callable[[], Iterator[Sample]]] = [
    remote_step_scripts,
    preflight_probes,
    preflight_batch,
    preflight_fixes,
    runbook_templates,
    rollback_commands,
    troubleshoot_probes,
    host_times_scripts,
    attach_scripts,
    host_lock_scripts,
]


def all_scripts() -> list[Sample]:
    return [sample for source in SOURCES for sample in source()]
