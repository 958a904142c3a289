"""`nim` on the NIM master: -o showres (the software in a SPOT or an lpp_source) and -o cust (install
filesets from an lpp_source into a SPOT, e.g. bos.alt_disk_install.rte for nimadm).

The listings are those IBM's Ansible collection for AIX parses (nim_resource.py); the cust output is installp's
(assumed for this operation), and its failure lines are assumed too.
"""

from __future__ import annotations

import getopt
from typing import Any

from cockpit.sim.aix import installp, lpp
from cockpit.sim.aix.common import Ctx, UsageError, emit, err, line, not_found, out

USAGE = """Usage:  nim -o Operation [-F] [-a Attribute=Value ...] TargetObject
        (the simulator implements -o showres and -o cust)"""
CUST_MINUTES = 2.0


def nim(ctx: Ctx, args: list[str]) -> int:
    st = ctx.read()
    if st["role"] != "nim_master":
        return not_found("nim")
    try:
        opts, rest = getopt.getopt(args, "o:a:F")
    except getopt.GetoptError as e:
        raise UsageError(f"nim: {e.msg}\n{USAGE}") from e
    operation = dict(opts).get("-o")
    attrs: dict[str, str] = {}
    for o, v in opts:
        if o == "-a":
            key, eq, value = v.partition("=")
            if not eq:
                raise UsageError(f'0042-001 nim: "{v}" is not a valid attribute assignment\n{USAGE}')  # Assumed
            attrs[key] = value
    if operation not in ("showres", "cust") or len(rest) != 1:
        raise UsageError(USAGE)
    resources = st["nim"]["resources"]
    target = rest[0]
    if target not in resources:
        return _no_object(operation, target)
    if operation == "showres":
        return _showres(target, resources[target], attrs)
    return _cust(ctx, target, attrs)


def _no_object(operation: str, name: str) -> int:
    err(f'0042-053 m_{operation}: there is no NIM object named "{name}"')
    return 53


def _showres(name: str, res: dict[str, Any], attrs: dict[str, str]) -> int:
    filesets = lpp.catalogue(res["oslevel"], dict(res.get("filesets") or {}))
    if res["type"] == "spot":
        if attrs.get("lslpp_flags", "Lc") != "Lc":
            raise UsageError("nim: the simulator shows a SPOT with -a lslpp_flags=Lc only")
        out(*lpp.lc_lines(filesets, res["oslevel"][-4:]))
        return 0
    if attrs.get("installp_flags", "L") != "L":
        raise UsageError("nim: the simulator shows an lpp_source with -a installp_flags=L only")
    out(*lpp.installp_l_lines(filesets))
    return 0


def _cust(ctx: Ctx, spot: str, attrs: dict[str, str]) -> int:
    resources = ctx.read()["nim"]["resources"]
    if resources[spot]["type"] != "spot":
        err('0042-001 nim: processing error encountered on "master":', f"   {spot} is not a SPOT")  # Assumed
        return 1
    source = attrs.get("lpp_source")
    wanted = attrs.get("filesets", "").split()
    if source is None or not wanted:
        raise UsageError(f"nim -o cust needs -a lpp_source=<lpp_source> and -a filesets=<fileset ...>\n{USAGE}")
    if source not in resources or resources[source]["type"] != "lpp_source":
        return _no_object("cust", source)
    images = lpp.catalogue(resources[source]["oslevel"], resources[source].get("filesets", {}))
    missing = [f for f in wanted if f not in images]
    if missing:
        err(*_not_on_media(missing))
        return 1
    installing = {f: images[f] for f in wanted}  # installp takes the lpp_source's level, whatever the master's
    emit([line(t) for t in installp.applied(installing)], ctx.seconds(CUST_MINUTES))
    with ctx.update() as st:
        st["nim"]["resources"][spot].setdefault("filesets", {}).update(installing)
    return 0


def _not_on_media(missing: list[str]) -> list[str]:
    """Assumed: installp's failure section for filesets the lpp_source does not carry, wrapped by NIM."""
    return [
        '0042-001 nim: processing error encountered on "master":',
        '   0042-175 c_instspot: An unexpected result was returned by the "/usr/sbin/installp" command:',
        "",
        "FAILURES",
        "--------",
        "  Filesets listed in this section failed pre-installation verification",
        "  and will not be installed.",
        "",
        "  Not Found on Installation Media",
        "  -------------------------------",
        "  Filesets listed in this section could not be found on the installation",
        "  media.",
        "",
        *(f"    {f}" for f in missing),
        "",
        "  << End of Failure Section >>",
    ]
