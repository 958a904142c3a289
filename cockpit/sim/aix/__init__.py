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
    "mksysb": "backup:mksysb",
    "savevg": "backup:savevg",
    "restvg": "backup:restvg",
    "alt_disk_mksysb": "backup:alt_disk_mksysb",
    # HACWS (aix/hacws.py): bare names, see there.
    "clverify": "hacws:clverify",
    "spcw_addevents": "hacws:spcw_addevents",
    "hacws_verify": "hacws:hacws_verify",
    # Linuxha.net (aix/linuxha.py): on Linux nodes.
    "clhalt": "linuxha:clhalt",
    "clbuild": "linuxha:clbuild",
    "clbuildapp": "linuxha:clbuildapp",
    "clform": "linuxha:clform",
    "clstat": "linuxha:clstat",
    "rpm": "linuxha:rpm",
    # Called by the shims bin/cat, bin/ls, bin/rm, bin/tar, bin/ps only for /etc/niminfo, /dev, the host
    # directories of aix/vfs.py and `ps -ef` (see aix/files.py, aix/linuxha.py).
    "cat": "files:cat",
    "ls": "files:ls",
    "rm": "files:rm",
    "tar": "files:tar",
    "ps": "procs:ps",
}
LINUX_COMMANDS = frozenset({"clhalt", "clbuild", "clbuildapp", "clform", "clstat", "rpm"})
"""Commands of a Linux node; an AIX host has none of them (and a Linux host none of the AIX ones)."""
EVERYWHERE = frozenset({"cat", "ls", "rm", "tar", "ps", "hostname"})
