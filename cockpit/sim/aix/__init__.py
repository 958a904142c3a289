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
    "netstat": "net:netstat",
    "rmsock": "net:rmsock",
    "lslpp": "lpp:lslpp",
    "nim": "nimres:nim",
    "bootinfo": "lvm:bootinfo",
    "lsvg": "lvm:lsvg",
    "lvlstmajor": "lvm:lvlstmajor",
    "chpv": "lvm:chpv",
    "odmget": "odm:odmget",
    "odmdelete": "odm:odmdelete",
    "savebase": "odm:savebase",
    "alt_disk_copy": "altdisk:alt_disk_copy",
    "alt_rootvg_op": "altdisk:alt_rootvg_op",
    "alt_disk_install": "altdisk:alt_disk_install",
    "multibos": "multibos:multibos",
    "mount": "mounts:mount",
    # Called by the shims bin/cat, bin/ls, bin/rm only for /etc/niminfo and /dev (see aix/files.py).
    "cat": "files:cat",
    "ls": "files:ls",
    "rm": "files:rm",
}
