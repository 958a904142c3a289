"""The fake AIX commands, one module per family. Stdlib only: see cockpit/sim/aixcmd.py.

COMMANDS maps a command name to "module:function"; the dispatcher imports only the module it needs.
Each function takes (Ctx, argv) and returns the exit status.
"""

COMMANDS: dict[str, str] = {
    "nimadm": "nimadm:nimadm",
    "lsnim": "nim:lsnim",
    "lspv": "disks:lspv",
    "bootlist": "disks:bootlist",
    "oslevel": "level:oslevel",
    "lssrc": "src:lssrc",
    "startsrc": "src:startsrc",
    "stopsrc": "src:stopsrc",
    "shutdown": "system:shutdown",
    "hostname": "system:hostname",
}
