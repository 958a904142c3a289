"""The ODM commands of the ghost-device cleanup: odmget, odmdelete, savebase.

Only the CuDvDr object class (device -> major/minor) is simulated. Stanzas print as odmget prints them
(a blank line, `Class:`, tab-indented `attr = "value"`); the query language is the `attr=value [and
attr=value ...]` subset the cleanup uses. `0518-307 odmdelete: N objects deleted.` is assumed, as are the
messages for an unknown class or a query the simulator cannot read.
"""

from __future__ import annotations

import getopt
import re

from cockpit.sim.aix.common import Ctx, UsageError, err, out, simulated

CLASS = "CuDvDr"
ATTRIBUTES = ("resource", "value1", "value2", "value3")
_TERM = re.compile(r"""^\s*(\w+)\s*=\s*(?:'([^']*)'|"([^"]*)"|(\S+))\s*$""")


def _criteria(text: str) -> dict[str, str]:
    """`resource=devno and value1=43` -> {resource: devno, value1: 43}."""
    terms: dict[str, str] = {}
    if not text.strip():
        return terms
    for part in re.split(r"\s+and\s+", text.strip(), flags=re.IGNORECASE):
        m = _TERM.match(part)
        if not m or m.group(1) not in ATTRIBUTES:
            raise UsageError(f'odm: the simulator reads only "attr=value [and attr=value ...]" criteria, not "{text}"')
        terms[m.group(1)] = next(g for g in m.groups()[1:] if g is not None)
    return terms


def _matches(obj: dict[str, str], terms: dict[str, str]) -> bool:
    return all(obj.get(k) == v for k, v in terms.items())


def _options(command: str, args: list[str], spec: str, usage: str) -> tuple[dict[str, str], list[str]]:
    try:
        opts, rest = getopt.getopt(args, spec)
    except getopt.GetoptError as e:
        raise UsageError(f"{command}: {e.msg}\n{usage}") from e
    return dict(opts), rest


def _unknown_class(command: str, name: str) -> int:
    err(simulated(f"0518-506 {command}: Cannot open class {name}."))  # only CuDvDr is simulated
    return 1


def odmget(ctx: Ctx, args: list[str]) -> int:
    usage = "Usage: odmget [-q Criteria] ObjectClass ..."
    flags, classes = _options("odmget", args, "q:", usage)
    if len(classes) != 1:
        raise UsageError(usage)
    terms, object_class = _criteria(flags.get("-q", "")), classes[0]
    if object_class != CLASS:
        return _unknown_class("odmget", object_class)
    rows: list[str] = []
    for obj in ctx.read()["cudvdr"]:
        if _matches(obj, terms):
            rows += ["", f"{CLASS}:", *(f'\t{k} = "{obj[k]}"' for k in ATTRIBUTES)]
    if rows:
        out(*rows)
    return 0


def odmdelete(ctx: Ctx, args: list[str]) -> int:
    usage = "Usage: odmdelete -o ObjectClass [-q Criteria]"
    flags, rest = _options("odmdelete", args, "q:o:", usage)
    if rest or "-o" not in flags:
        raise UsageError(usage)
    terms, object_class = _criteria(flags.get("-q", "")), flags["-o"]
    if object_class != CLASS:
        return _unknown_class("odmdelete", object_class)
    with ctx.update() as st:
        kept = [o for o in st["cudvdr"] if not _matches(o, terms)]
        deleted = len(st["cudvdr"]) - len(kept)
        st["cudvdr"] = kept
        if deleted:
            st["odm_saved"] = False  # the boot image still has the old ODM until savebase
    out(f"0518-307 odmdelete: {deleted} objects deleted.")
    return 0


def savebase(ctx: Ctx, args: list[str]) -> int:
    """Write the ODM's device configuration to the boot image; silent when it works."""
    if args and args not in (["-v"],):
        raise UsageError("Usage: savebase [-o Path] [-d File] [-v]  (the simulator implements savebase [-v])")
    with ctx.update() as st:
        st["odm_saved"] = True
    if args == ["-v"]:
        out("saving to '/dev/hd5'")  # Assumed
    return 0
