"""netstat (-an, -Aan) and rmsock: who listens on which port, and which process holds a socket.

Layout of `netstat -Aan` from a capture on AIX 7.3 (tests/unit/preflight/samples.py); the plain `-an`
layout and the UNIX domain section are the same columns without the PCB (assumed spacing). rmsock's
answer is AIX's own text, "proccess" spelling included.
"""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING

from cockpit.sim.aix.common import Ctx, UsageError, err, out
from cockpit.sim.aix.src import FIXED

if TYPE_CHECKING:
    from cockpit.sim.state import HostState

NIMSH_PORTS = (3901, 3902)  # primary (stdin/stdout, requests) and secondary (stderr), per IBM's nimsh documentation
NIMESIS_PORTS = (1058, 1059)  # the NIM master's nimesis: master_port and registration_port
NIMESIS_PID = 3735702
PEER = "10.0.0.1"

NETSTAT_USAGE = "usage: netstat [-Aan] (the simulator implements netstat -an and netstat -Aan)"


class Listener:
    """A TCP socket in LISTEN state and the process that holds it."""

    __slots__ = ("pcb", "pid", "port", "process", "proto")

    def __init__(self, host: str, proto: str, port: int, process: str, pid: int) -> None:
        self.proto, self.port, self.process, self.pid = proto, port, process, pid
        self.pcb = "f1000f00" + f"{zlib.crc32(f'{host}/{proto}/{port}'.encode()) & 0xFFFFF:05x}" + "bc0"

    @property
    def socket(self) -> str:
        """The socket address rmsock names: the PCB's page, another offset."""
        return "0x" + self.pcb[:-3] + "808"


def listeners(st: HostState) -> list[Listener]:
    """sshd everywhere, nimesis on the master, nimsh on the ports no other process took, and the others."""
    host = st["hostname"]
    sshd_pid = FIXED["sshd"][1]
    found = [Listener(host, "tcp6", 22, "sshd", sshd_pid), Listener(host, "tcp4", 22, "sshd", sshd_pid)]
    if st["role"] == "nim_master":
        found += [Listener(host, "tcp4", p, "nimesis", NIMESIS_PID) for p in NIMESIS_PORTS]
    taken = {x["port"] for x in st.get("listeners", [])}
    if st["nimsh"]["active"]:
        found += [Listener(host, "tcp4", p, "nimsh", st["nimsh"]["pid"]) for p in NIMSH_PORTS if p not in taken]
    found += [Listener(host, "tcp4", x["port"], x["process"], x["pid"]) for x in st.get("listeners", [])]
    return sorted(found, key=lambda x: (x.port, x.proto != "tcp6"))  # tcp6 first, as AIX lists them


def nimsh_port_holder(st: HostState) -> Listener | None:
    """The first non-nimsh process on a nimsh port (nimadm then reaches it instead of nimsh)."""
    for x in listeners(st):
        if x.port in NIMSH_PORTS and x.process != "nimsh":
            return x
    return None


def _rows(st: HostState, with_pcb: bool) -> list[str]:
    width = 22 if with_pcb else 23
    rows: list[tuple[str, str, str, str, str]] = [
        (x.pcb, x.proto, f"*.{x.port}", "*.*", "LISTEN") for x in listeners(st)
    ]
    # The cockpit's own SSH session, established.
    rows.append(("f1000f00002d8bc0", "tcp4", f"{_address(st)}.22", f"{PEER}.50122", "ESTABLISHED"))
    rows += [("f1000f0000140600", "udp", "*.111", "*.*", ""), ("f1000f0005582e00", "udp", "*.514", "*.*", "")]
    lines = []
    for pcb, proto, local, foreign, state in rows:
        lead = f"{pcb} " if with_pcb else ""
        lines.append(f"{lead}{proto:<5}{0:>7}{0:>7}  {local:<{width}}{foreign:<{width}}{state}".rstrip())
    return lines


def _address(st: HostState) -> str:
    return f"10.0.0.{10 + zlib.crc32(st['hostname'].encode()) % 200}"


def netstat(ctx: Ctx, args: list[str]) -> int:
    flags = "".join(a.lstrip("-") for a in args)
    if not args or any(not a.startswith("-") for a in args) or set(flags) - set("Aan") or "n" not in flags:
        raise UsageError(NETSTAT_USAGE)
    with_pcb = "A" in flags
    st = ctx.read()
    if with_pcb:
        head = "PCB/ADDR         Proto Recv-Q Send-Q  Local Address      Foreign Address    (state)"
        unix = [
            "SADR/PCB         Type   Recv-Q Send-Q      Inode            Conn             Refs           Nextref"
            "      Addr",
            "f1000f0000144808 dgram       0      0                0 f1000f00055a1b00                0                0",
            "f1000f0000145580",
            "f1000f000010a408 dgram       0      0 f1000b02a0354c20                0                0                0"
            " /dev/SRC",
            "f1000f000557b280",
        ]
    else:
        head = "Proto Recv-Q Send-Q  Local Address          Foreign Address        (state)"
        unix = [
            "Type   Recv-Q Send-Q      Inode            Conn             Refs           Nextref      Addr",
            "dgram       0      0 f1000b02a0354c20                0                0                0 /dev/SRC",
        ]
    out(
        "Active Internet connections (including servers)",
        head,
        *_rows(st, with_pcb),
        "",
        "Active UNIX domain sockets",
        *unix,
    )
    return 0


def rmsock(ctx: Ctx, args: list[str]) -> int:
    if len(args) != 2 or args[1] not in ("tcpcb", "inpcb", "sockaddr", "rawcb", "unpcb"):
        raise UsageError("Usage: rmsock Address TypeofAddress")
    address = args[0].lower().removeprefix("0x")
    for x in listeners(ctx.read()):
        if x.pcb == address:
            # rmsock aborts only a socket no process holds; a held one is reported and left alone.
            out(f"The socket {x.socket} is being held by proccess {x.pid} ({x.process}).")
            return 0
    err("It is not a socket")  # Assumed: an address no socket of this host has
    return 1
