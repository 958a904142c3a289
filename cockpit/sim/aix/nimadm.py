"""nimadm on the NIM master: the 12 phases, -P, -C, the automatic cleanup of a failed run.

The master's state holds the NIM database (clients -> host, resources) and one migration record per
client (`nim.migrations`); the client's state holds its disks and bootlist, which the phases change.

Messages not found in the sources are assumed (kept together at the end, with their invented codes):
unknown objects, nimsh down, a nimsh port held by another process, a client serving another master,
busy client, target disk missing / in use, a leftover alternate rootvg, -P out of order, a bad -P value,
and (in nimadm_text) a target disk too small for the clone.
"""

from __future__ import annotations

import getopt
import os
import time
from dataclasses import dataclass
from typing import IO

from cockpit.sim import state
from cockpit.sim.aix import altdisk, installp, vg
from cockpit.sim.aix import nimadm_text as text
from cockpit.sim.aix.common import Ctx, Line, UsageError, emit, error_line, line, not_found, notify_server, simulated
from cockpit.sim.aix.level import vr
from cockpit.sim.aix.net import nimsh_port_holder
from cockpit.sim.aix.nim import pid_alive
from cockpit.sim.aix.system import reboot

USAGE = """Usage:  nimadm -l lpp_source -c NIMClient -s SPOT -d TargetDisks [-a PreMigrationScript]
        [-b installp_bundle] [-z PostMigrationScript] [-e exclude_files] [-i image_data]
        [-j VGname] [-m NFSMountOptions] [-o bosinst_data] [-P Phase] [-Y] [-F] [-D] [-E] [-V] [{-B | -r}]
        nimadm -C -c NIMClient -s SPOT [-F] [-D] [-E]"""

ALT_DISK_FILESET = "bos.alt_disk_install.rte"


@dataclass(frozen=True, slots=True)
class Request:
    client: str
    spot: str
    lpp_source: str | None
    disks: tuple[str, ...]
    phase: int | None
    cache_vg: str | None
    keep_bootlist: bool
    reboot: bool
    cleanup: bool


def parse(args: list[str]) -> Request:
    try:
        opts, rest = getopt.getopt(args, "c:l:s:d:j:P:a:b:z:e:i:m:o:T:O:N:YBrCFDEVUAWSM")
    except getopt.GetoptError as e:
        raise UsageError(f"nimadm: {e.msg}\n{USAGE}") from e
    flags = dict(opts)
    if rest:
        raise UsageError(USAGE)
    for unsupported in ("-W", "-S", "-M", "-T", "-O", "-a", "-z", "-b"):
        if unsupported in flags:
            raise UsageError(f"nimadm: the simulator does not implement {unsupported}\n{USAGE}")
    phase = flags.get("-P")
    if phase is not None and not (phase.isdigit() and 1 <= int(phase) <= 12):
        raise UsageError(simulated(f"0505-101 nimadm: Invalid phase {phase}. A phase is a number from 1 to 12."))
    if "-B" in flags and "-r" in flags:
        raise UsageError(USAGE)
    cleanup = "-C" in flags
    needed = ("-c", "-s") if cleanup else ("-c", "-s", "-l", "-d")
    if any(not flags.get(f) for f in needed):
        raise UsageError(USAGE)
    return Request(
        client=flags["-c"],
        spot=flags["-s"],
        lpp_source=flags.get("-l"),
        disks=tuple(flags.get("-d", "").split()),
        phase=int(phase) if phase else None,
        cache_vg=flags.get("-j"),
        keep_bootlist="-B" in flags,
        reboot="-r" in flags,
        cleanup=cleanup,
    )


class Failed(Exception):
    """The run stops here; the exception carries the lines to print (errors and cleanup)."""

    def __init__(self, lines: list[Line]) -> None:
        super().__init__(lines[0][0] if lines else "")
        self.lines = lines


def nimadm(ctx: Ctx, args: list[str]) -> int:
    if ctx.read()["role"] != "nim_master":
        return not_found("nimadm")
    req = parse(args)
    return Migration(ctx, req).run()


class Migration:
    """One nimadm invocation for one client."""

    def __init__(self, ctx: Ctx, req: Request) -> None:
        self.ctx = ctx
        self.req = req
        master = ctx.read()
        self.master = master
        nim = master["nim"]
        self.client_host: str | None = nim["clients"].get(req.client, {}).get("host")
        spot = nim["resources"].get(req.spot)
        self.spot = spot if spot and spot["type"] == "spot" else None
        self.level = str(self.spot["oslevel"] if self.spot else state.oslevel(master))
        """oslevel -s the client migrates to (the SPOT's)."""
        self.text = text.Run(
            client=req.client,
            master=master["hostname"],
            disks=req.disks,
            target_vr=vr(self.level),
            cache_vg=req.cache_vg,
            keep_bootlist=req.keep_bootlist,
        )
        self.log: IO[str] | None = None
        self.slow = float(master.get("slow", 1.0))

    # --- output ----------------------------------------------------------------------------------------

    def say(self, lines: list[Line], aix_minutes: float, hang: bool = False) -> None:
        seconds = self.ctx.seconds(aix_minutes) * self.slow
        emit(lines, seconds, self.log, hang_after=len(lines) // 2 if hang else None)

    def log_path(self) -> str:
        """/var/adm/ras/alt_mig/<client>_alt_mig.log of the master, inside its state directory."""
        directory = self.ctx.path("var", "adm", "ras", "alt_mig")
        os.makedirs(directory, exist_ok=True)
        return os.path.join(directory, f"{self.req.client}_alt_mig.log")

    # --- the run -----------------------------------------------------------------------------------------

    def run(self) -> int:
        # A new run starts the log afresh; a later phase run alone (-P n) adds to it.
        mode = "a" if self.req.phase and self.req.phase > 1 else "w"
        with open(self.log_path(), mode, encoding="utf-8") as self.log:
            try:
                if self.req.cleanup:
                    self.clean()
                else:
                    self.migrate()
            except Failed as failure:
                self.say(failure.lines, 0.5)
                return 1
        return 0

    def start(self) -> state.HostState:
        """Pre-phase output and checks; returns the client's state."""
        first, last = text.pre(self.text)
        req = self.req
        self.say(first[:1], 0.2)
        # Another program on a nimsh port answers nimadm's connection (nimsh itself is down then).
        if (holder := nimsh_port_holder(self.master)) is not None:
            raise Failed([*port_taken("master", holder.port), master_cleanup()])
        if not self.master["nimsh"]["active"]:
            raise Failed([*nimsh_down("master"), master_cleanup()])
        if self.spot is None:
            raise Failed([no_object(req.spot), master_cleanup()])
        if req.lpp_source is not None:
            lpp = self.master["nim"]["resources"].get(req.lpp_source)
            if not lpp or lpp["type"] != "lpp_source":
                raise Failed([no_object(req.lpp_source), master_cleanup()])
        self.say(first[1:], 0.2)
        if self.client_host is None or not state.exists(self.ctx.fleet, self.client_host):
            raise Failed([no_object(req.client), master_cleanup()])
        client = self.ctx.read(self.client_host)
        self.slow = float(self.master.get("slow", 1.0)) * float(client.get("slow", 1.0))
        if (holder := nimsh_port_holder(client)) is not None:
            raise Failed([*port_taken(req.client, holder.port), master_cleanup()])
        if not client["nimsh"]["active"]:
            raise Failed([*nimsh_down(req.client), master_cleanup()])
        if (client.get("niminfo") or {}).get("master") != self.master["hostname"]:
            # nimsh serves only the master its /etc/niminfo names
            raise Failed([*request_denied(req.client, self.master["hostname"]), master_cleanup()])
        if not req.cleanup:
            self.check_alt_disk_levels()
            self.check_eligible(client)
            self.say(last, 0.6)
        return client

    def check_alt_disk_levels(self) -> None:
        """As the field report printed it: the SPOT's bos.alt_disk_install.rte must match the master's."""
        assert self.spot is not None
        mine = self.master.get("filesets", {}).get(ALT_DISK_FILESET, "0.0.0.0")
        spots = self.spot.get("filesets", {}).get(ALT_DISK_FILESET)
        if spots == mine:
            return
        lines: list[Line] = []
        if spots is None:
            lines += [
                error_line('0042-001 nim: processing error encountered on "master":'),
                error_line(f"   /usr/bin/lslpp: Fileset {ALT_DISK_FILESET} not installed."),
                line(""),
                error_line(f"0505-204 nimadm: SPOT {self.req.spot} does not have {ALT_DISK_FILESET} installed."),
            ]
        lines += [
            error_line(f"0505-205 nimadm: The level of {ALT_DISK_FILESET} installed in SPOT"),
            error_line(f"{self.req.spot} ({spots or '0.0.0.0'}) does not match the NIM master's level ({mine})."),
            master_cleanup(),
        ]
        raise Failed(lines)

    def check_eligible(self, client: state.HostState) -> None:
        req = self.req
        record = self.master["nim"]["migrations"].get(req.client)
        if record and record["status"] == "running" and pid_alive(record["pid"]):
            raise Failed([busy(req.client), master_cleanup()])
        phase = req.phase or 1
        if phase > 1:
            last = record["last_phase"] if record and record["status"] in ("running", "paused") else 0
            if last != phase - 1:  # phases depend on the previous ones
                raise Failed([out_of_order(req.client, phase, last), master_cleanup()])
            return
        for name in req.disks:
            d = state.disk(client, name)
            if d is None:
                raise Failed([disk_missing(req.client, name), master_cleanup()])
            if d["vg"] is not None:  # e.g. altinst_rootvg left by an earlier run
                raise Failed([disk_in_use(req.client, name, d["vg"]), master_cleanup()])
        for d in client["disks"]:
            if d["vg"] in ("altinst_rootvg", "old_rootvg"):  # elsewhere than on the target
                raise Failed([leftover(req.client, d["name"], d["vg"]), master_cleanup()])

    def migrate(self) -> None:
        client = self.start()
        req = self.req
        phases = [req.phase] if req.phase else list(range(1, 13))
        self.record(status="running", last_phase=phases[0] - 1, new=phases[0] == 1)
        hang_phase = client.get("faults", {}).get("hang_phase")
        for phase in phases:
            lines, fatal = self.phase_lines(phase, client)
            if fatal:  # print up to the error, then clean up as nimadm does
                self.say(text.banner(phase) + lines, text.PHASE_MINUTES[phase] * 0.6)
                boot_disk = self.remove_alt_disk()
                self.record(status="failed")
                raise Failed(text.failure(self.text, boot_disk))
            if client.get("faults", {}).get("drop_connection_phase") == phase:
                self.spend_fault("drop_connection_phase")
                notify_server(f"drop {self.ctx.host}")  # the cockpit's connections to the master drop here
            hang = phase == hang_phase
            if hang:
                self.spend_fault("hang_phase")  # a hang is transient (an NFS stall): a retry runs through
            self.began(phase)
            self.say(text.banner(phase) + lines, text.PHASE_MINUTES[phase], hang=hang)
            self.after_phase(phase, client)
            self.record(last_phase=phase)
        done = phases[-1] == 12
        self.record(status="done" if done else "paused")
        if done and req.reboot:
            assert self.client_host is not None
            reboot(self.ctx, self.client_host)

    def phase_lines(self, phase: int, client: state.HostState) -> tuple[list[Line], bool]:
        """The lines of a phase after its banner, and whether they end in a fatal error."""
        run = self.text
        if phase == 1:
            assert self.client_host is not None
            small = altdisk.too_small(self.ctx.read(self.client_host), self.disks_of_run())
            if small:
                start = [line("Cloning altinst_rootvg on client, Phase 1."), line(run.client_command(1))]
                return [*start, *text.clone_sizing(), *text.clone_too_small()], True
        if phase == 11:
            assert self.client_host is not None
            blocker = altdisk.phase3_blocker(self.ctx.read(self.client_host))
            return text.phase11_start(run) + altdisk.phase3_lines(run, blocker), blocker is not None
        builders = {
            1: lambda: text.phase1(run),
            2: lambda: text.phase2(run),
            3: lambda: text.phase3(run),
            4: text.no_script,
            5: text.phase5,
            6: lambda: text.phase6(installp.body(self.ctx.installp_lines, self.level)),
            7: text.no_script,
            8: lambda: text.phase8(run),
            9: lambda: text.phase9(run),
            10: lambda: text.phase10(run),
            12: lambda: text.cleanup_lines(run),
        }
        return builders[phase](), False

    # --- state ----------------------------------------------------------------------------------------

    def record(self, *, new: bool = False, **changes: object) -> None:
        with self.ctx.update() as master:
            migrations = master["nim"]["migrations"]
            if new or self.req.client not in migrations:
                migrations[self.req.client] = {
                    "disks": list(self.req.disks),
                    "spot": self.req.spot,
                    "lpp_source": self.req.lpp_source,
                    "target_vr": self.text.target_vr,
                    "level": self.level,
                    "last_phase": 0,
                }
            migrations[self.req.client].update(changes, pid=os.getpid())

    def began(self, phase: int) -> None:
        """The epoch second each phase's banner was written, in the master's record of the migration:
        what a cockpit that read it late (a resumed one) must date it to (its tests check)."""
        with self.ctx.update() as master:
            migration = master["nim"]["migrations"][self.req.client]
            migration.setdefault("phase_started", {})[str(phase)] = time.time()

    def spend_fault(self, name: str) -> None:
        assert self.client_host is not None
        with self.ctx.update(self.client_host) as st:
            st.get("faults", {}).pop(name, None)

    def after_phase(self, phase: int, client: state.HostState) -> None:
        """What each phase leaves on the client (the nimadm man page's phase descriptions)."""
        if phase not in (1, 6, 11):
            return
        assert self.client_host is not None
        disks = self.disks_of_run()
        with self.ctx.update(self.client_host) as st:
            if phase == 1:  # the clone of the running rootvg, varied on, /alt_inst mounted
                altdisk.create_clone(st, disks)
            elif phase == 6:  # the clone now holds the new level
                for d in vg.disks_of(st, altdisk.ALT):
                    d["level"] = self.level
            else:  # phase 11: varied off, kept in the ODM, bootable
                altdisk.finish_clone(st, disks, self.req.keep_bootlist)
            client.update(st)

    def disks_of_run(self) -> list[str]:
        if self.req.disks:
            return list(self.req.disks)
        record = self.master["nim"]["migrations"].get(self.req.client) or {}
        return list(record.get("disks", []))

    def remove_alt_disk(self) -> str:
        """alt_disk_install -X on the client: altinst_rootvg gone, bootlist back on the boot disk."""
        assert self.client_host is not None
        with self.ctx.update(self.client_host) as st:
            vg.remove_vg(st, altdisk.ALT)
            st["bootlist"] = [{"disk": st["boot_disk"], "blv": "hd5"}]
            return str(st["boot_disk"])

    def clean(self) -> None:
        """nimadm -C: clean up a migration that did not clean itself (or clear a finished one)."""
        self.start()
        record = self.master["nim"]["migrations"].get(self.req.client)
        if record and record["status"] == "running" and pid_alive(record["pid"]):
            raise Failed([busy(self.req.client), master_cleanup()])
        boot_disk = self.remove_alt_disk()
        with self.ctx.update() as master:
            master["nim"]["migrations"].pop(self.req.client, None)
        run = self.text
        self.say(
            [
                *text.cleanup_lines(run),
                line(f"Client alt_disk_install command: alt_disk_install -M {run.target_vr} -X"),
                line(f"Bootlist is set to the boot disk: {boot_disk} blv=hd5"),
            ],
            1.0,
        )


# --- assumed messages ----------------------------------------------------------------------------------


def master_cleanup() -> Line:
    return line("Cleaning up alt_disk_migration on the NIM master.")


def no_object(name: str) -> Line:
    return error_line(f'0042-053 nimadm: there is no NIM object named "{name}"')


def nimsh_down(where: str) -> list[Line]:
    return [
        error_line(f'0042-001 nim: processing error encountered on "{where}":'),
        error_line(f"   0042-006 m_nimadm: (To: {where}) connect Connection refused"),
    ]


def port_taken(where: str, port: int) -> list[Line]:
    return [
        error_line(f'0042-001 nim: processing error encountered on "{where}":'),
        error_line(
            f"   0042-006 m_nimadm: (To: {where}) unexpected response on port {port}: not the NIM service handler"
        ),
    ]


def request_denied(where: str, master: str) -> list[Line]:
    return [
        error_line(f'0042-001 nim: processing error encountered on "{where}":'),
        error_line(f"   0042-008 nimsh: Request denied - {master}"),
    ]


def leftover(client: str, disk: str, vg_name: str) -> Line:
    return error_line(
        simulated(
            f"0505-122 nimadm: Volume group {vg_name} exists on client {client} ({disk}): "
            "remove it first (alt_rootvg_op -X)."
        )
    )


def out_of_order(client: str, phase: int, last: int) -> Line:
    return error_line(
        simulated(
            f"0505-198 nimadm: Phase {phase} cannot run for client {client}: "
            f"phase {phase - 1} has not completed (last completed phase: {last or 'none'})."
        )
    )


def disk_missing(client: str, disk: str) -> Line:
    return error_line(simulated(f"0505-120 nimadm: Target disk {disk} was not found on client {client}."))


def disk_in_use(client: str, disk: str, vg: str) -> Line:
    # AIX's own words (as NIM relays them, IBM/ansible-power-aix nim_vios_alt_disk.py); `vg` is what lspv shows.
    return error_line(f"0505-126 alt_disk_install- target disk {disk} has a volume group assigned to it.")


def busy(client: str) -> Line:
    return error_line(
        simulated(f"0505-197 nimadm: An alt_disk_migration operation is already running for client {client}.")
    )
