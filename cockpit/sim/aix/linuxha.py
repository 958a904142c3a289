"""Linuxha.net cluster nodes (the Linuxha.net migration howto): clhalt, clbuild, clbuildapp, clform, clstat, rpm,
and `ps -ef` showing the cluster daemons.

A node's state has `linuxha`: {cluster, app, nodes, installed ({name, version, release, arch} | None),
built (the version the cluster configuration was last built with), formed, apps_running, formed_at,
rpm_files ({path: {name, version, release, arch, requires}}), missing (packages the node lacks)}.
clbuild, clform and clhalt act on the whole cluster (run on one node, they change every node's state:
Assumed from the howto running them "on one of the nodes"). /etc/cluster is the node's own (aix/vfs.py):
VERSION is the installed package's file, so `cat /etc/cluster/VERSION` and the archive follow rpm.

From the howto: the command lines, `1.0.4` / `1.1.01` in VERSION, the five daemons `cldaemon-`,
`cllockd-`, `clnetd-`, `clhbd-`, `clhbd2-<cluster>` (clhbd2 a child of clhbd) and the `ps -ef` layout.
Assumed: every other text (clbuild/clform/clhalt/clstat output, rpm's output follows rpm 4.4).

Stdlib only (see aixcmd.py).
"""

from __future__ import annotations

import getopt
import os
import re
import subprocess
import time
import zlib

from cockpit.sim import state
from cockpit.sim.aix import vfs
from cockpit.sim.aix.common import Ctx, emit, err, line, out, write

VERSION_FILE = "/etc/cluster/VERSION"
DAEMONS = ("cldaemon", "cllockd", "clnetd", "clhbd", "clhbd2")
RPM_FILE = re.compile(r"^(?P<name>.+)-(?P<version>[^-]+)-(?P<release>[^-]+)\.(?P<arch>[^.]+)\.rpm$")
HASHES = "#" * 43


def parse_rpm(path: str) -> dict[str, object] | None:
    """`/tmp/linuxha12-1.1.01-1.noarch.rpm` -> {name: linuxha12, version: 1.1.01, release: 1, arch: noarch}."""
    m = RPM_FILE.match(os.path.basename(path))
    if m is None:
        return None
    return {**m.groupdict(), "requires": []}


def first_state(nodes: list[str], params: dict[str, str], missing_dep: str | None) -> dict[str, object]:
    """A running 1.0.x cluster: the old package installed and built, the cluster formed, the app up."""
    old = parse_rpm(params.get("old_package", "/tmp/linuxha-1.0.4-1.noarch.rpm")) or parse_rpm(
        "/tmp/linuxha-1.0.4-1.noarch.rpm"
    )
    assert old is not None
    files: dict[str, dict[str, object]] = {}
    for key in ("old_package", "package"):
        path = params.get(key)
        pkg = parse_rpm(path) if path else None
        if path and pkg:
            if key == "package" and missing_dep:
                pkg["requires"] = [missing_dep]
            files[path] = pkg
    installed = {k: old[k] for k in ("name", "version", "release", "arch")}
    return {
        "cluster": params.get("cluster", "prodcl"),
        "app": params.get("app", "webapp"),
        "nodes": nodes,
        "installed": installed,
        "built": installed["version"],
        "formed": True,
        "apps_running": True,
        "formed_at": "23:29",
        "rpm_files": files,
        "missing": [missing_dep] if missing_dep else [],
    }


def first_files(ha: dict[str, object], host: str) -> dict[str, str]:
    """/etc/cluster of a 1.0.x node (file names from the howto; contents assumed) and /var/log/cluster."""
    cluster, app, nodes = str(ha["cluster"]), str(ha["app"]), ha["nodes"]
    assert isinstance(nodes, list)
    node_xml = "".join(f'    <node name="{n}"/>\n' for n in nodes)
    installed = ha["installed"]
    assert isinstance(installed, dict)
    return {
        VERSION_FILE: f"{installed['version']}\n",
        "/etc/cluster/clconf.xml": (
            f'<?xml version="1.0"?>\n<global>\n  <name>{cluster}</name>\n  <version>{installed["version"]}</version>\n'
            f"</global>\n<nodes>\n{node_xml}</nodes>\n"
        ),
        f"/etc/cluster/{app}/appconf.xml": (
            f'<?xml version="1.0"?>\n<appconf>\n  <global>\n    <name>{app}</name>\n'
            f"    <takeover>force</takeover>\n  </global>\n  <networks>\n"
            '    <network net="main" ip="192.168.1.200" netmask="255.255.255.0"/>\n  </networks>\n</appconf>\n'
        ),
        f"/etc/cluster/{app}/lems.local.xml": "<lems_config>\n</lems_config>\n",
        "/var/log/cluster/cluster.log": f"cluster {cluster} formed on {host}\n",
    }


def not_found(command: str) -> int:
    """What a Linux /bin/sh says for a command that is not installed (e.g. clbuild after rpm -e)."""
    err(f"sh: {command}: command not found")
    return 127


def _ha(ctx: Ctx, command: str) -> dict[str, object] | None:
    """This node's cluster state when linuxha.net is installed here, else None (after `not found`)."""
    ha = ctx.read().get("linuxha")
    if not ha or not ha["installed"]:
        not_found(command)
        return None
    result: dict[str, object] = ha
    return result


def _parse(command: str, args: list[str], long: list[str]) -> dict[str, str]:
    try:
        opts, rest = getopt.gnu_getopt(args, "", long)
    except getopt.GetoptError as e:
        raise SystemExit(_usage(command, e.msg)) from None
    if rest:
        raise SystemExit(_usage(command, f"unexpected argument {rest[0]}"))
    return dict(opts)


def _usage(command: str, why: str) -> int:
    err(f"{command}: {why}", f"Usage: see `{command} --help`  (the simulator implements the howto's forms)")
    return 1


def _nodes(ctx: Ctx) -> list[str]:
    return list(ctx.read()["linuxha"]["nodes"])


def _seconds(ctx: Ctx, minutes: float) -> float:
    return ctx.seconds(minutes) * float(ctx.read().get("slow", 1.0))


# --- cluster-wide commands -----------------------------------------------------------------------------


def clhalt(ctx: Ctx, args: list[str]) -> int:
    ha = _ha(ctx, "clhalt")
    if ha is None:
        return 127
    flags = _parse("clhalt", args, ["force", "verbose"])
    if not ha["formed"]:
        out(f"Cluster {ha['cluster']} is not running.")
        return 0 if "--force" in flags else 1
    lines = []
    if ha["apps_running"]:
        lines.append(line(f"Stopping application {ha['app']} on node {_nodes(ctx)[0]}...", 3))
    for node in _nodes(ctx):
        lines.append(line(f"Stopping cluster daemons on node {node}..."))
    lines.append(line(f"Cluster {ha['cluster']} halted."))
    emit(lines, _seconds(ctx, 1.0))
    for node in _nodes(ctx):
        with ctx.update(node) as st:
            st["linuxha"].update(formed=False, apps_running=False)
    return 0


def clbuild(ctx: Ctx, args: list[str]) -> int:
    ha = _ha(ctx, "clbuild")
    if ha is None:
        return 127
    flags = _parse("clbuild", args, ["force", "verbose"])
    installed = ha["installed"]
    assert isinstance(installed, dict)
    version = installed["version"]
    if ha["formed"] and "--force" not in flags:
        err(f"clbuild: Cluster {ha['cluster']} is running; halt it first or use --force.")
        return 1
    lines = [
        line("INFO  Validating cluster configuration file /etc/cluster/clconf.xml"),
        line(f"INFO  Cluster name       : {ha['cluster']}"),
        line(f"INFO  Cluster nodes      : {' '.join(_nodes(ctx))}"),
        line(f"INFO  Software version   : {version}"),
    ]
    for node in _nodes(ctx):
        other = ctx.read(node)["linuxha"]["installed"]
        if not other or other["version"] != version:
            found = other["version"] if other else "not installed"
            emit(lines, _seconds(ctx, 0.2))
            err(f"ERROR Node {node} runs linuxha.net {found}, this node {version}: install the same version first.")
            return 1
        lines.append(line(f"INFO  Node {node:<12}: reachable, linuxha.net {version}"))
    lines += [line(f"INFO  Distributing configuration to {n}") for n in _nodes(ctx)[1:]]
    lines.append(line("INFO  Cluster configuration built successfully."))
    emit(lines, _seconds(ctx, 1.0))
    for node in _nodes(ctx):
        with ctx.update(node) as st:
            st["linuxha"]["built"] = version
    return 0


def clbuildapp(ctx: Ctx, args: list[str]) -> int:
    ha = _ha(ctx, "clbuildapp")
    if ha is None:
        return 127
    flags = _parse("clbuildapp", args, ["force", "vgbuild", "build", "verbose", "application="])
    app = flags.get("--application")
    if app is None or ("--vgbuild" in flags) == ("--build" in flags):
        return _usage("clbuildapp", "give --application APP and one of --vgbuild, --build")
    if app != ha["app"]:
        err(f"ERROR Application {app} is not defined: no /etc/cluster/{app}/appconf.xml")
        return 1
    if "--vgbuild" in flags:
        lines = [
            line(f"INFO  Validating application configuration /etc/cluster/{app}/appconf.xml"),
            line(f"INFO  Checking volume group {app}vg on all nodes"),
            *(line(f"INFO  Volume group {app}vg: node {n} OK") for n in _nodes(ctx)),
            line(f"INFO  Volume group configuration for {app} built successfully."),
        ]
    else:
        lines = [
            line(f"INFO  Building application {app}"),
            line(f"INFO  Creating /etc/cluster/{app}/build.xml"),
            *(line(f"INFO  Distributing application configuration to {n}") for n in _nodes(ctx)[1:]),
            line(f"INFO  Application {app} built successfully."),
        ]
    emit(lines, _seconds(ctx, 0.5))
    return 0


def clform(ctx: Ctx, args: list[str]) -> int:
    ha = _ha(ctx, "clform")
    if ha is None:
        return 127
    flags = _parse("clform", args, ["noapps", "verbose", "force"])
    if ha["formed"]:
        err(f"clform: Cluster {ha['cluster']} is already running.")
        return 1
    nodes = _nodes(ctx)
    for node in nodes:
        other = ctx.read(node)["linuxha"]
        installed = other["installed"]
        if not installed:
            err(f"clform: linuxha.net is not installed on node {node}.")
            return 1
        if other["built"] != installed["version"]:
            err(
                f"clform: The cluster configuration on node {node} was built for {other['built']}, "
                f"the software is {installed['version']}: run clbuild first."
            )
            return 1
    lines = [line(f"Forming cluster {ha['cluster']} ...")]
    lines += [line(f"Starting cluster daemons on node {n}...", 2) for n in nodes]
    lines.append(line(f"Cluster {ha['cluster']} formed with {len(nodes)} nodes."))
    if "--noapps" not in flags:
        lines.append(line(f"Starting application {ha['app']} on node {nodes[0]}...", 3))
    emit(lines, _seconds(ctx, 1.0))
    stamp = time.strftime("%H:%M")
    for node in nodes:
        with ctx.update(node) as st:
            st["linuxha"].update(formed=True, apps_running="--noapps" not in flags, formed_at=stamp)
    return 0


def clstat(ctx: Ctx, args: list[str]) -> int:
    ha = _ha(ctx, "clstat")
    if ha is None:
        return 127
    _parse("clstat", args, ["verbose"])
    nodes = _nodes(ctx)
    status = "UP" if ha["formed"] else "DOWN"
    rows = [f"Cluster: {ha['cluster']} - {status}", "", f"{'Node':<12}Status", f"{'-' * 10:<12}{'-' * 8}"]
    rows += [f"{n:<12}{status}" for n in nodes]
    app_state = "RUNNING" if ha["apps_running"] else "STOPPED"
    app_node = nodes[0] if ha["apps_running"] else "-"
    rows += ["", f"{'Application':<16}{'Node':<12}State", f"{'-' * 14:<16}{'-' * 10:<12}{'-' * 8}"]
    rows.append(f"{ha['app']:<16}{app_node:<12}{app_state}")
    out(*rows)
    return 0


# --- rpm -----------------------------------------------------------------------------------------------


def _full(pkg: dict[str, object], arch: bool = True) -> str:
    return f"{pkg['name']}-{pkg['version']}-{pkg['release']}" + (f".{pkg['arch']}" if arch else "")


def rpm(ctx: Ctx, args: list[str]) -> int:
    """rpm -Uvh|-ivh FILE, rpm -e NAME, rpm -q NAME, rpm -qa (the forms the Linuxha runbook uses)."""
    if len(args) == 2 and args[0] in ("-Uvh", "-ivh", "-U", "-i"):
        return _install(ctx, args[1], verbose="v" in args[0])
    if len(args) == 2 and args[0] == "-e":
        return _erase(ctx, args[1])
    if args == ["-qa"]:
        # Only the cluster package is modelled: the rest of a real node's rpm database is left out.
        installed = (ctx.read().get("linuxha") or {}).get("installed")
        if installed:
            out(_full(installed, arch=False))
        return 0
    if len(args) == 2 and args[0] == "-q":
        ha = ctx.read().get("linuxha") or {}
        installed = ha.get("installed")
        if installed and installed["name"] == args[1]:
            out(_full(installed, arch=False))
            return 0
        out(f"package {args[1]} is not installed")
        return 1
    err("rpm: the simulator implements rpm -Uvh FILE, rpm -ivh FILE, rpm -e NAME, rpm -q NAME and rpm -qa")
    return 1


def _install(ctx: Ctx, path: str, verbose: bool) -> int:
    st = ctx.read()
    ha = st.get("linuxha") or {}
    pkg = (ha.get("rpm_files") or {}).get(path)
    if pkg is None:
        err(f"error: open of {path} failed: No such file or directory")
        return 1
    missing = [r for r in pkg["requires"] if r in ha.get("missing", [])]
    if missing:
        err("error: Failed dependencies:", *(f"\t{r} is needed by {_full(pkg)}" for r in missing))
        return 1
    installed = ha.get("installed")
    seconds = ctx.seconds(0.5) * float(st.get("slow", 1.0))
    if installed and _full(installed) == _full(pkg):
        # rpm -U of the package already there changes nothing and says so (rpm 4.4; exit status assumed).
        emit([line(f"{'Preparing...':<28}{HASHES} [100%]")], seconds / 4)
        err(f"\tpackage {_full(pkg)} is already installed")
        return 1
    if installed and installed["name"] != pkg["name"]:
        emit([line(f"{'Preparing...':<28}{HASHES} [100%]")], seconds / 4)
        err(f"\tfile {VERSION_FILE} from install of {_full(pkg)} conflicts with file from package {_full(installed)}")
        return 1
    if verbose:
        emit(
            [line(f"{'Preparing...':<28}{HASHES} [100%]"), line(f"   1:{pkg['name']:<23}{HASHES} [100%]", 0)],
            seconds,
        )
    with ctx.update() as st:
        st["linuxha"]["installed"] = {k: pkg[k] for k in ("name", "version", "release", "arch")}
    vfs.write_file(ctx.fleet, ctx.host, VERSION_FILE, f"{pkg['version']}\n")
    return 0


def _erase(ctx: Ctx, name: str) -> int:
    with ctx.update() as st:
        ha = st.get("linuxha") or {}
        installed = ha.get("installed")
        if not installed or installed["name"] != name:
            err(f"error: package {name} is not installed")
            return 1
        ha["installed"] = None
        # The daemons are the package's: removing it stops them on this node (assumed).
        ha.update(formed=False, apps_running=False)
    vfs.remove_file(ctx.fleet, ctx.host, VERSION_FILE)  # package file; the configuration stays (the howto)
    return 0


# --- ps -ef -------------------------------------------------------------------------------------------


def ps(ctx: Ctx, args: list[str]) -> int:
    """`ps -ef` on a Linux node: this host's processes (the real ones of its sessions) and, while the
    cluster is formed, its five daemons. Anything else, and on AIX hosts, is the system's ps."""
    st = ctx.read()
    real = _real_ps()
    ha = st.get("linuxha")
    if args != ["-ef"] or st.get("platform") != "linux":
        os.execv(real, ["ps", *args])
    done = subprocess.run(["ps", "-ef"], executable=real, capture_output=True, text=True, check=False)
    rows = done.stdout.splitlines()
    if not rows:
        write(2, done.stderr)
        return done.returncode
    header, procs = rows[0], [_ps_row(r) for r in rows[1:]]
    mine = _host_pids(ctx)
    kept = [(pid, text) for pid, text in procs if pid != os.getpid() and (mine is None or pid in mine)]
    if ha and ha["formed"] and ha["installed"]:
        base = 4359 + zlib.crc32(ctx.host.encode()) % 1000
        cluster = ha["cluster"]
        pids = {d: base + i * 3 for i, d in enumerate(DAEMONS)}
        for daemon in DAEMONS:
            parent = pids["clhbd"] if daemon == "clhbd2" else 1
            stime = f"{ha['formed_at']:>5}"
            kept.append(
                (
                    pids[daemon],
                    f"{'root':<8} {pids[daemon]:>5} {parent:>5}  0 {stime} ?        00:00:00 {daemon}-{cluster}",
                )
            )
    out(header, *(text for _, text in sorted(kept)))
    return 0


def _ps_row(text: str) -> tuple[int, str]:
    fields = text.split(None, 2)
    return (int(fields[1]) if len(fields) > 1 and fields[1].isdigit() else 0), text


def _host_pids(ctx: Ctx) -> set[int] | None:
    """The processes of this simulated host (their environment names its fleet and host); None without /proc."""
    if not os.path.isdir("/proc/self"):
        return None
    marks = (f"{state.FLEET_ENV}={ctx.fleet}".encode(), f"{state.HOST_ENV}={ctx.host}".encode())
    pids = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as f:
                environ = f.read().split(b"\0")
        except OSError:
            continue
        if all(m in environ for m in marks):
            pids.add(int(entry))
    return pids


def _real_ps() -> str:
    from cockpit.sim.aix.files import real_command

    return real_command("ps")
