"""`netstat -Aan` and `rmsock <pcb> tcpcb`: who listens on a port and which process holds it.

AIX `netstat -Aan` (captured on AIX 7.3) puts the protocol control block address first:

    Active Internet connections (including servers)
    PCB/ADDR         Proto Recv-Q Send-Q  Local Address      Foreign Address    (state)
    f1000f0000287bc0 tcp4       0      0  *.22                  *.*                   LISTEN

and ports are the last dot-separated part of an address (`*.3901`, `::1.6010`). `rmsock` answers
`The socket 0xf1000e000288c008 is being held by proccess 10551550 (abc).` - the real message spells
"proccess"; both spellings and other locales are accepted (a number followed by a name in brackets).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cockpit.domain.preflight.parsers.common import lines

_HEX = re.compile(r"^(?:0x)?[0-9a-fA-F]{6,16}$")
_COUNT = re.compile(r"^[0-9]+$")
_HELD_BY = re.compile(r"held\s+by\s+proc+ess\s+([0-9]+)\s*\(([^)]*)\)", re.IGNORECASE)
_PID_NAME = re.compile(r"(?<![0-9A-Fa-fx])([0-9]+)\s*\(([^()\s]+)\)")


@dataclass(frozen=True)
class Socket:
    pcb: str | None
    proto: str
    local: str
    foreign: str
    state: str | None
    line: str

    @property
    def local_port(self) -> int | None:
        port = self.local.rsplit(".", 1)[-1]
        return int(port) if port.isdigit() else None

    @property
    def listening(self) -> bool:
        # A TCP listener has no peer (`*.*`); the state word is not trusted across locales.
        return self.proto.startswith("tcp") and (self.state == "LISTEN" or self.foreign == "*.*")


def parse_netstat(text: str) -> list[Socket]:
    """Internet sockets of `netstat -an` or `netstat -Aan`; UNIX domain sockets are skipped."""
    sockets = []
    for line in lines(text):
        words = line.split()
        pcb = None
        if len(words) >= 2 and _HEX.fullmatch(words[0]) and words[1].startswith(("tcp", "udp")):
            pcb, words = words[0].lower().removeprefix("0x"), words[1:]
        if len(words) < 5 or not words[0].startswith(("tcp", "udp")):
            continue
        if not (_COUNT.fullmatch(words[1]) and _COUNT.fullmatch(words[2])):
            continue
        state = words[5] if len(words) > 5 else None
        sockets.append(Socket(pcb, words[0], words[3], words[4], state, line.strip()))
    return sockets


def listeners(sockets: list[Socket], port: int) -> list[Socket]:
    return [s for s in sockets if s.listening and s.local_port == port]


@dataclass(frozen=True)
class SocketHolder:
    pid: int
    process: str


def parse_rmsock(text: str) -> SocketHolder | None:
    """The holding process, or None (`It is not a socket`, `Wait for exiting processes ...`)."""
    m = _HELD_BY.search(text) or _PID_NAME.search(text)
    if not m:
        return None
    return SocketHolder(int(m.group(1)), m.group(2).strip())
