"""Scenario files: the simulated fleet (a NIM master and its clients), its faults and its timing.

A scenario is YAML (see scenarios/demo.yaml for a commented example):

    description: text
    timing: {time_scale: 185, reboot_minutes: 5, installp_lines: 300}
    master: {name, oslevel, filesets: {fileset: level}, nimsh: active|inoperative, disks: [...], slow}
    resources: [{name, type: lpp_source|spot, oslevel, filesets}]
    clients: {count, prefix, oslevel, nimsh, disks: [{name, size_mb, vg}], target_disk, slow}
    hosts: {<client name>: {any client key above, lpp_source, spot, faults: {...}}}
    plan: {lpp_source, spot, concurrency, cache_vg}
    userland: {shell: dash|mksh|ksh93, busybox: true|false}   the hosts' shell and tools (sim/userland.py)

Other runbooks (`runbook: alt-disk-copy | alt-disk-mksysb | hacws | linuxha`, default nimadm) need no NIM
master: `master` and `resources` are optional, `plan` holds `concurrency` and `params: {name: value}`
(the run-wide runbook parameters the inventory passes on), `target_disk` is optional. Per host (the
clients template or hosts.<name>), for every runbook:

    platform: aix | linux                     default aix; a linux host has none of the AIX commands
    role: word                                the host's role in the runbook (hacws: primary, backup)
    params: {name: value}                     runbook parameters of this target only
    images: {/abs/path: oslevel}              mksysb images (alt_disk_mksysb -m, restored at that level)
                                              and installp image directories (alt_disk_copy -l: the
                                              updates bring the clone to that level)
    varied_off: [vg]                          data volume groups defined but not varied on (the shared
                                              VG of the standby HACWS control workstation)

`clients.names: [cws1, cws2]` names the hosts instead of count/prefix (--hosts N keeps the first N).

Several NIM masters (scenarios/masters.yaml): `masters: [{name, concurrency, any master key}, ...]`
instead of `master`; each has its own NIM database with its own clients (and the resources). A client
names its master with `master: NAME` (clients template or hosts.<name>); without it the clients are
split across the masters in contiguous blocks. `concurrency` is that master's own in the plan.

Migrations already running when a cockpit arrives (scenarios/attach.yaml), per client:

    running: nimadm | alt_disk_copy           the simulator starts it when the fleet comes up, as an
                                              operator's shell would (`sh -c "...; :"`): nimadm on the
                                              client's master, alt_disk_copy on the client itself;
                                              `cockpit demo` then opens `cockpit attach`

Faults (per client under `hosts`, or under `master` where marked M), each making the fake commands print
what AIX prints in that case (see cockpit/sim/faults.py for what each one changes):

    nimsh_down: true                          M  nimsh inoperative (same as `nimsh: inoperative`)
    port_taken: {port: 3901, process: msg_server}   M  another process listens on a nimsh port
    ghost_major: 43                           special files and a CuDvDr entry on the major number
                                              lvlstmajor lists as free (alt_disk_copy's ALT_MAJOR_NUM)
    multibos: true                            a multibos standby BOS (bos_hd5 ...) in rootvg
    disk_too_small: true                      the target disk is smaller than what rootvg uses
    disk_in_use: datavg                       the target disk belongs to that (varied on) volume group
    leftover_alt: altinst_rootvg | old_rootvg | {vg: old_rootvg, disk: hdisk1}
                                              a leftover alternate rootvg (default disk: a spare one)
    nim_undefined: true                       the master has no NIM machine object for the client
    niminfo_master: othernim                  the client's /etc/niminfo names another NIM master
    hang_phase: 1..12                         that nimadm phase stops printing and never ends (once:
                                              a retry runs through, as after a transient NFS stall)
    drop_connection_phase: 1..12              when that phase starts, every SSH connection to the
                                              master drops (once); the commands keep running
    below_level: {fileset: F, level: 4.3.2.0} (hacws) that fileset is below the maintenance level:
                                              `oslevel` names the lower level, `oslevel -l` lists it
    rpm_missing_dep: perl-XML-Simple          (linux) the new package (params.package) needs a package
                                              the node lacks: rpm -Uvh fails with `Failed dependencies`
    fail_step: install                        (any runbook, linux too) the fake command run as that
                                              runbook step on this host (its first attempt) fails
                                              before it changes anything, once: every state a run
                                              can stop in, for the back-outs' tests

A client's `lpp_source` / `spot` override the plan's (e.g. some clients go to 7.3); a fileset mismatch
is a SPOT without bos.alt_disk_install.rte or at another level than the master's (`filesets`).

`time_scale` is the speed-up of simulated time: one AIX minute lasts 60 / time_scale seconds.
Clients are generated as <prefix>01 .. <prefix>NN; `hosts` adjusts named ones (names that are not
generated are ignored, so a smaller --hosts count simply drops their faults).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from cockpit.sim import scenario_values as check
from cockpit.sim.scenario_values import ScenarioError
from cockpit.sim.userland import Userland, UserlandError, from_scenario

SCENARIO_DIR = Path(__file__).parent / "scenarios"
WORD = re.compile(r"^[a-z][a-z0-9_-]{0,30}$")
PLATFORMS = ("aix", "linux")
DEFAULT_DISKS = (
    {"name": "hdisk0", "size_mb": 40960, "vg": "rootvg"},
    {"name": "hdisk1", "size_mb": 40960},
    {"name": "hdisk2", "size_mb": 40960},
)


@dataclass(frozen=True, slots=True)
class Disk:
    name: str
    size_mb: int
    vg: str | None = None


@dataclass(frozen=True, slots=True)
class HostSpec:
    name: str
    role: str
    """nim_master | client (the roles of cockpit/config/models.py)."""
    oslevel: str
    disks: tuple[Disk, ...]
    nimsh_active: bool = True
    filesets: Mapping[str, str] = field(default_factory=dict)
    slow: float = 1.0
    faults: Mapping[str, Any] = field(default_factory=dict)
    target_disk: str | None = None
    lpp_source: str | None = None
    """A client's own lpp_source / SPOT (the plan's when None)."""
    spot: str | None = None
    platform: str = "aix"
    target_role: str | None = None
    """The host's role in the runbook (scenario key `role`), e.g. primary / backup for hacws."""
    params: Mapping[str, str] = field(default_factory=dict)
    images: Mapping[str, str] = field(default_factory=dict)
    """Image path -> the oslevel -s it installs (mksysb files, installp image directories)."""
    varied_off: tuple[str, ...] = ()
    master: str | None = None
    """A client's NIM master (scenarios with several masters; None: the only one)."""
    running: str | None = None
    """A migration the simulator starts on its own when the fleet comes up (`nimadm`: on the client's
    master; `alt_disk_copy`: on the client), for `cockpit attach` to find already running."""


@dataclass(frozen=True, slots=True)
class Resource:
    name: str
    type: str
    oslevel: str
    filesets: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    description: str
    time_scale: float
    reboot_minutes: float
    installp_lines: int
    master: HostSpec | None
    """The NIM master (always there for nimadm; other runbooks may have none)."""
    clients: tuple[HostSpec, ...]
    resources: tuple[Resource, ...]
    lpp_source: str | None
    spot: str | None
    concurrency: int
    cache_vg: str | None = None
    runbook: str = "nimadm"
    params: Mapping[str, str] = field(default_factory=dict)
    """Run-wide runbook parameters (runbooks other than nimadm)."""
    window_minutes: float | None = None
    """A maintenance window this long (AIX minutes, scaled like the clock) from when the inventory is written."""
    cutoff_minutes: float | None = None
    userland: Userland | None = None
    """The hosts' shell and tools; None: the simulator's default (or the environment's choice)."""
    extra_masters: tuple[HostSpec, ...] = ()
    """The other NIM masters of a scenario with several (`masters:`); `master` is the first."""
    attach: bool = False
    """The cockpit arrives while migrations run: `cockpit demo` opens `cockpit attach` on this fleet."""
    master_concurrency: Mapping[str, int] = field(default_factory=dict)
    """A master's own concurrency (`masters[].concurrency`); the plan's for the others."""

    @property
    def masters(self) -> tuple[HostSpec, ...]:
        return (self.master, *self.extra_masters) if self.master is not None else ()

    @property
    def hosts(self) -> tuple[HostSpec, ...]:
        return (*self.masters, *self.clients)

    def master_of(self, client: HostSpec) -> HostSpec | None:
        """The NIM master that serves `client` (the only one, or the one the scenario names)."""
        if client.master is None:
            return self.master
        return next(m for m in self.masters if m.name == client.master)

    def clients_of(self, master: HostSpec) -> tuple[HostSpec, ...]:
        return tuple(c for c in self.clients if (self.master_of(c) or master).name == master.name)

    def params_for(self, host: HostSpec) -> dict[str, str]:
        """The runbook parameters of one target: the run-wide ones overridden by the host's own."""
        return {**self.params, **host.params}

    def lpp_source_for(self, client: HostSpec) -> str | None:
        return client.lpp_source or self.lpp_source

    def spot_for(self, client: HostSpec) -> str | None:
        return client.spot or self.spot


def available() -> list[str]:
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.yaml"))


_DESCRIPTION = re.compile(r"^description:\s*(.+?)\s*$", re.MULTILINE)


def summaries() -> list[tuple[str, str]]:
    """(name, description) of every shipped scenario, for `cockpit demo --help` (no YAML parse: fast)."""
    out = []
    for name in available():
        found = _DESCRIPTION.search((SCENARIO_DIR / f"{name}.yaml").read_text())
        out.append((name, found.group(1) if found else ""))
    return out


def load_scenario(name_or_path: str | Path, hosts: int | None = None) -> Scenario:
    """Load a shipped scenario by name ("demo", "tiny") or a scenario file by path.

    `hosts` overrides the number of generated clients.
    """
    path = Path(name_or_path)
    if not path.is_file():
        path = SCENARIO_DIR / f"{name_or_path}.yaml"
        if not path.is_file():
            raise ScenarioError(f"no scenario {str(name_or_path)!r} (shipped: {', '.join(available())})")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise ScenarioError(f"{path}: {e}") from e
    try:
        return _build(path.stem, check.mapping(data, "the file"), hosts)
    except (ScenarioError, UserlandError) as e:
        raise ScenarioError(f"{path}: {e}") from None


def _disks(value: object, where: str) -> tuple[Disk, ...]:
    if not isinstance(value, list) or not value:
        raise ScenarioError(f"{where}.disks must be a non-empty list")
    disks = []
    for i, item in enumerate(value):
        d = check.mapping(item, f"{where}.disks[{i}]")
        check.keys(d, f"{where}.disks[{i}]", {"name", "size_mb", "vg"})
        if not re.fullmatch(r"hdisk\d+", str(d.get("name", ""))):
            raise ScenarioError(f"{where}.disks[{i}].name must be hdiskN")
        disks.append(
            Disk(
                str(d["name"]),
                int(check.number(d.get("size_mb", 40960), f"{where}.disks[{i}].size_mb", 1)),
                d.get("vg"),
            )
        )
    if not any(d.vg == "rootvg" for d in disks):
        raise ScenarioError(f"{where}.disks: one disk must hold rootvg")
    return tuple(disks)


HOST_KEYS = {"oslevel", "filesets", "nimsh", "disks", "slow", "faults", "target_disk"}
RUNBOOK_KEYS = {"platform", "role", "params", "images", "varied_off"}
CLIENT_KEYS = HOST_KEYS | RUNBOOK_KEYS | {"lpp_source", "spot", "master", "running"}
RUNNING = ("nimadm", "alt_disk_copy")
LINUX_FAULTS = {"rpm_missing_dep", "fail_step"}


def _host(name: str, role: str, data: dict[str, Any], where: str) -> HostSpec:
    nimsh = data.get("nimsh", "active")
    if nimsh not in ("active", "inoperative"):
        raise ScenarioError(f"{where}.nimsh must be active or inoperative")
    platform = data.get("platform", "aix")
    if platform not in PLATFORMS:
        raise ScenarioError(f"{where}.platform must be aix or linux, not {platform!r}")
    disks = _disks(data.get("disks", list(DEFAULT_DISKS)), where)
    target = data.get("target_disk")
    if target is not None and target not in {d.name for d in disks}:
        raise ScenarioError(f"{where}.target_disk {target!r} is not one of its disks")
    allowed = set(check.FAULTS) if role == "client" else check.MASTER_FAULTS
    faults = check.faults(data.get("faults"), where, LINUX_FAULTS if platform == "linux" else allowed)
    _check_disk_faults(faults, disks, target, where)
    target_role = data.get("role")
    if target_role is not None and (not isinstance(target_role, str) or not WORD.fullmatch(target_role)):
        raise ScenarioError(f"{where}.role must be a word (lower-case letters, digits, _ -), not {target_role!r}")
    varied_off = data.get("varied_off") or []
    if not isinstance(varied_off, list):
        raise ScenarioError(f"{where}.varied_off must be a list of volume groups")
    for i, name_ in enumerate(varied_off):
        if check.vg(name_, f"{where}.varied_off[{i}]") not in {d.vg for d in disks}:
            raise ScenarioError(f"{where}.varied_off[{i}]: no disk holds volume group {name_!r}")
    # A Linux host has no AIX level; its disks only keep the state's shape.
    oslevel = "" if platform == "linux" and "oslevel" not in data else check.oslevel(data.get("oslevel"), where)
    running = data.get("running")
    if running is not None and running not in RUNNING:
        raise ScenarioError(f"{where}.running must be one of {', '.join(RUNNING)}, not {running!r}")
    master = data.get("master")
    if master is not None:
        check.name(master, f"{where}.master")
    return HostSpec(
        master=master,
        running=running,
        name=name,
        role=role,
        oslevel=oslevel,
        disks=disks,
        nimsh_active=nimsh == "active" and not faults.get("nimsh_down"),
        filesets=dict(check.mapping(data.get("filesets") or {}, f"{where}.filesets")),
        slow=check.number(data.get("slow", 1.0), f"{where}.slow", 0.01),
        faults=faults,
        target_disk=target,
        lpp_source=data.get("lpp_source"),
        spot=data.get("spot"),
        platform=platform,
        target_role=target_role,
        params=check.params(data.get("params"), f"{where}.params"),
        images=check.images(data.get("images"), f"{where}.images"),
        varied_off=tuple(varied_off),
    )


def _check_disk_faults(faults: dict[str, Any], disks: tuple[Disk, ...], target: str | None, where: str) -> None:
    """Disk faults need a free target disk; a leftover VG goes on a free spare unless a disk is named."""
    free = [d.name for d in disks if d.vg is None]
    for key in ("disk_too_small", "disk_in_use"):
        if faults.get(key) and target not in free:
            raise ScenarioError(f"{where}.faults.{key} needs a target_disk that is in no volume group")
    leftover = faults.get("leftover_alt")
    if leftover is not None:
        spares = [d for d in free if d != target]
        disk = leftover.setdefault("disk", spares[0] if spares else target)
        if disk not in free:
            raise ScenarioError(f"{where}.faults.leftover_alt.disk must be a disk in no volume group, not {disk!r}")
        if disk == target and faults.get("disk_in_use"):
            raise ScenarioError(f"{where}.faults: leftover_alt and disk_in_use both want {disk}")


def _resource(item: object, where: str) -> Resource:
    r = check.mapping(item, where)
    check.keys(r, where, {"name", "type", "oslevel", "filesets"})
    if r.get("type") not in ("lpp_source", "spot"):
        raise ScenarioError(f"{where}.type must be lpp_source or spot")
    return Resource(
        check.name(r.get("name"), f"{where}.name"),
        r["type"],
        check.oslevel(r.get("oslevel"), where),
        dict(check.mapping(r.get("filesets") or {}, f"{where}.filesets")),
    )


def _reference(by_name: dict[str, Resource], kind: str, ref: object, where: str) -> str:
    if not isinstance(ref, str) or ref not in by_name or by_name[ref].type != kind:
        raise ScenarioError(f"{where} must name a resource of type {kind}, not {ref!r}")
    return ref


def _client_names(template: dict[str, Any], hosts: int | None) -> list[str]:
    """<prefix>01 .. <prefix>NN, or the template's `names` (the first `hosts` of them when given)."""
    if "names" in template:
        names = template["names"]
        if not isinstance(names, list) or not names or "count" in template or "prefix" in template:
            raise ScenarioError("clients.names must be a non-empty list, without count or prefix")
        checked = [check.name(n, f"clients.names[{i}]") for i, n in enumerate(names)]
        if len(set(checked)) != len(checked):
            raise ScenarioError("clients.names: a name is there twice")
        return checked[:hosts] if hosts is not None else checked
    count = hosts if hosts is not None else int(check.number(template.get("count", 1), "clients.count", 0))
    if count < 0:
        raise ScenarioError("the number of clients cannot be negative")
    prefix = str(template.get("prefix", "lpar"))
    return [f"{prefix}{i:02d}" for i in range(1, count + 1)]


def _build(name: str, data: dict[str, Any], hosts: int | None) -> Scenario:
    check.keys(
        data,
        "scenario",
        {
            "description",
            "timing",
            "runbook",
            "master",
            "masters",
            "resources",
            "clients",
            "hosts",
            "plan",
            "window",
            "userland",
        },
    )
    if "master" in data and "masters" in data:
        raise ScenarioError("give master or masters, not both")
    window = check.mapping(data.get("window") or {}, "window")
    check.keys(window, "window", {"minutes", "cutoff_minutes"})
    window_minutes = check.number(window["minutes"], "window.minutes", 1) if "minutes" in window else None
    cutoff_minutes = (
        check.number(window["cutoff_minutes"], "window.cutoff_minutes", 0) if "cutoff_minutes" in window else None
    )
    if cutoff_minutes is not None and (window_minutes is None or cutoff_minutes > window_minutes):
        raise ScenarioError("window.cutoff_minutes needs window.minutes and must not be after it")
    runbook = data.get("runbook", "nimadm")
    if not isinstance(runbook, str) or not WORD.fullmatch(runbook):
        raise ScenarioError(f"runbook must be a runbook name (e.g. nimadm, hacws), not {runbook!r}")
    nimadm = runbook == "nimadm"
    timing = check.mapping(data.get("timing") or {}, "timing")
    check.keys(timing, "timing", {"time_scale", "reboot_minutes", "installp_lines"})

    master = None
    masters: list[HostSpec] = []
    master_concurrency: dict[str, int] = {}
    if "masters" in data:
        listed = data["masters"]
        if not isinstance(listed, list) or not listed:
            raise ScenarioError("masters must be a non-empty list")
        for i, item in enumerate(listed):
            m = check.mapping(item, f"masters[{i}]")
            check.keys(m, f"masters[{i}]", HOST_KEYS | {"name", "concurrency"})
            spec = _host(check.name(m.get("name"), f"masters[{i}].name"), "nim_master", m, f"masters[{i}]")
            masters.append(spec)
            if "concurrency" in m:
                master_concurrency[spec.name] = int(check.number(m["concurrency"], f"masters[{i}].concurrency", 1))
        if len({m.name for m in masters}) != len(masters):
            raise ScenarioError("masters: two masters have the same name")
        master = masters[0]
    elif nimadm or data.get("master") is not None:
        master_data = check.mapping(data.get("master"), "master")
        check.keys(master_data, "master", HOST_KEYS | {"name"})
        master = _host(str(master_data.get("name", "nim01")), "nim_master", master_data, "master")
        masters = [master]

    resources = tuple(_resource(item, f"resources[{i}]") for i, item in enumerate(data.get("resources") or []))
    by_name = {r.name: r for r in resources}
    if len(by_name) != len(resources):
        raise ScenarioError("resources: two resources have the same name")

    template = check.mapping(data.get("clients"), "clients")
    check.keys(template, "clients", HOST_KEYS | RUNBOOK_KEYS | {"count", "prefix", "names", "master"})
    overrides = check.mapping(data.get("hosts") or {}, "hosts")
    clients = []
    names = _client_names(template, hosts)
    for number, client in enumerate(names):
        extra = check.mapping(overrides.get(client) or {}, f"hosts.{client}")
        check.keys(extra, f"hosts.{client}", CLIENT_KEYS)
        merged = {k: v for k, v in template.items() if k not in ("count", "prefix", "names")} | extra
        if len(masters) > 1 and "master" not in merged:
            # Several masters and no choice made: the clients in contiguous blocks, one per master.
            merged["master"] = masters[number * len(masters) // len(names)].name
        if merged.get("master") is not None and merged["master"] not in {m.name for m in masters}:
            raise ScenarioError(f"{client}: master {merged['master']!r} is not one of the scenario's masters")
        where = f"hosts.{client}" if extra else "clients"
        spec = _host(client, "client", merged, where)
        if spec.target_disk is None and nimadm:
            raise ScenarioError(f"{client}: target_disk is required for a client (the nimadm -d disk)")
        for kind in ("lpp_source", "spot"):
            if getattr(spec, kind) is not None:
                _reference(by_name, kind, getattr(spec, kind), f"{where}.{kind}")
        clients.append(spec)
    for each in masters:
        if each.name in {c.name for c in clients}:
            raise ScenarioError(f"master {each.name!r} is also a client")

    plan = check.mapping(data.get("plan") or {}, "plan")
    lpp_source: str | None
    spot: str | None
    if nimadm:
        check.keys(plan, "plan", {"lpp_source", "spot", "concurrency", "cache_vg"})
        lpp_source = _reference(by_name, "lpp_source", plan.get("lpp_source"), "plan.lpp_source")
        spot = _reference(by_name, "spot", plan.get("spot"), "plan.spot")
    else:
        check.keys(plan, "plan", {"concurrency", "params"})
        lpp_source = spot = None
    return Scenario(
        name=name,
        description=str(data.get("description", "")),
        time_scale=check.number(timing.get("time_scale", 60.0), "timing.time_scale", 0.001),
        reboot_minutes=check.number(timing.get("reboot_minutes", 5.0), "timing.reboot_minutes", 0),
        installp_lines=int(check.number(timing.get("installp_lines", 300), "timing.installp_lines", 0)),
        master=master,
        clients=tuple(clients),
        resources=resources,
        lpp_source=lpp_source,
        spot=spot,
        concurrency=int(check.number(plan.get("concurrency", 4), "plan.concurrency", 1)),
        cache_vg=plan.get("cache_vg"),
        runbook=runbook,
        params=check.params(plan.get("params"), "plan.params"),
        window_minutes=window_minutes,
        cutoff_minutes=cutoff_minutes,
        userland=from_scenario(data.get("userland")),
        extra_masters=tuple(masters[1:]),
        master_concurrency=master_concurrency,
        attach=any(c.running for c in clients),
    )
