"""The installp output of nimadm phase 6.

Assumed: the only real run we have omits this part. The layout follows
AIX installp's usual migration output (pre-installation verification, filesets being applied, the
installation summary); fileset names are real AIX filesets, levels follow the target level. It is as
long as asked (`installp_lines` in the scenario) so a bench can stream thousands of lines.
"""

from __future__ import annotations

RULE = "+" + "-" * 77 + "+"

# (fileset, description, has a ROOT part)
FILESETS: tuple[tuple[str, str, bool], ...] = (
    ("bos.rte", "Base Operating System Runtime", True),
    ("bos.rte.libc", "libc Library", False),
    ("bos.rte.libpthreads", "pthreads Library", True),
    ("bos.rte.commands", "Commands", True),
    ("bos.rte.boot", "Boot Commands", True),
    ("bos.rte.shell", "Shells (bsh, ksh, csh)", True),
    ("bos.rte.filesystem", "Filesystem Administration", True),
    ("bos.rte.lvm", "Logical Volume Manager", True),
    ("bos.rte.net", "Network", True),
    ("bos.rte.security", "Base Security Function", True),
    ("bos.rte.serv_aid", "Error Log Service Aids", True),
    ("bos.rte.SRC", "System Resource Controller", True),
    ("bos.rte.tty", "Base TTY Support and Commands", True),
    ("bos.rte.install", "LPP Install Commands", True),
    ("bos.rte.archive", "Archive Commands", False),
    ("bos.rte.bind_cmds", "Binder and Loader Commands", False),
    ("bos.rte.control", "System Control Commands", True),
    ("bos.rte.cron", "Batch Operations", True),
    ("bos.rte.date", "Date Control Commands", False),
    ("bos.rte.devices", "Base Device Drivers", True),
    ("bos.rte.diag", "Diagnostics", True),
    ("bos.rte.edit", "Editors", False),
    ("bos.rte.ifor_ls", "iFOR/LS Libraries", True),
    ("bos.rte.im", "Input Methods", False),
    ("bos.rte.methods", "Device Config Methods", True),
    ("bos.rte.odm", "Object Data Manager", True),
    ("bos.rte.printers", "Front End Printer Support", True),
    ("bos.rte.streams", "Streams Libraries", True),
    ("bos.rte.aio", "Asynchronous I/O Extension", True),
    ("bos.mp64", "Base Operating System 64-bit Multiprocessor Runtime", True),
    ("bos.net.tcp.client", "TCP/IP Client Support", True),
    ("bos.net.tcp.server", "TCP/IP Server", True),
    ("bos.net.nfs.client", "Network File System Client", True),
    ("bos.net.nfs.server", "Network File System Server", True),
    ("bos.net.ncs", "Network Computing System 1.5.1", True),
    ("bos.net.nis.client", "Network Information Service Client", True),
    ("bos.net.ipsec.rte", "IP Security", True),
    ("bos.sysmgt.nim.client", "Network Install Manager - Client Tools", True),
    ("bos.sysmgt.serv_aid", "Software Error Logging and Dump Service Aids", True),
    ("bos.sysmgt.sysbr", "System Backup and BOS Install Utilities", True),
    ("bos.sysmgt.smit", "System Management Interface Tool (SMIT)", False),
    ("bos.sysmgt.trace", "Software Trace Service Aids", True),
    ("bos.sysmgt.loginlic", "License Management", True),
    ("bos.alt_disk_install.rte", "Alternate Disk Installation Runtime", True),
    ("bos.alt_disk_install.boot_images", "Alternate Disk Installation Disk Boot Images", False),
    ("bos.perf.tools", "Base Performance Tools", True),
    ("bos.perf.perfstat", "Performance Statistics Interface", True),
    ("bos.perf.tune", "Performance Tuning Support", True),
    ("bos.acct", "Accounting Services", True),
    ("bos.adt.base", "Base Application Development Toolkit", False),
    ("bos.adt.include", "Base Application Development Include Files", False),
    ("bos.adt.lib", "Base Application Development Libraries", False),
    ("bos.diag.rte", "Hardware Diagnostics", True),
    ("bos.diag.com", "Common Hardware Diagnostics", True),
    ("bos.diag.util", "Hardware Diagnostics Utilities", True),
    ("bos.esagent", "Electronic Service Agent", True),
    ("bos.ecc_client.rte", "Electronic Customer Care Run-Time Files", True),
    ("bos.iocp.rte", "I/O Completion Ports API", True),
    ("bos.loc.iso.en_US", "Base System Locale ISO Code Set - U. S. English", False),
    ("bos.mh", "Mail Handler", False),
    ("bos.msg.en_US.rte", "Base OS Runtime Messages - U.S. English", False),
    ("bos.pmapi.lib", "Performance Monitor API Library", False),
    ("bos.wpars", "AIX Workload Partitions", True),
    ("bos.aixpert.cmds", "AIX Security Hardening", True),
    ("bos.cluster.rte", "Cluster Aware AIX", True),
    ("bos.suma", "Service Update Management Assistant", True),
    ("bos.txt.spell", "Writer's Tools Commands", False),
    ("bos.ahafs", "Aha File System", True),
    ("bos.content_list", "AIX Release Content List", False),
    ("bos.terminfo.com", "Common Terminal Definitions", False),
    ("rsct.core.rmc", "RSCT Resource Monitoring and Control", True),
    ("rsct.core.utils", "RSCT Utilities", True),
    ("rsct.basic.rte", "RSCT Basic Function", True),
    ("rsct.core.auditrm", "RSCT Audit Log Resource Manager", True),
    ("rsct.core.errm", "RSCT Event Response Resource Manager", True),
    ("rsct.core.sec", "RSCT Security", True),
    ("devices.common.IBM.ethernet", "Common Ethernet Software", True),
    ("devices.common.IBM.fc.rte", "Common IBM FC Software", True),
    ("devices.common.IBM.mpio.rte", "MPIO Disk Path Control Module", True),
    ("devices.vdevice.IBM.l-lan.rte", "Virtual I/O Ethernet Software", True),
    ("devices.vdevice.IBM.vscsi.rte", "Virtual SCSI Client Support", True),
    ("devices.vdevice.IBM.vfc-client.rte", "Virtual Fibre Channel Client Support", True),
    ("devices.fcp.disk.rte", "FC SCSI CD-ROM, Disk, Read/Write Optical Device Software", True),
    ("devices.scsi.disk.rte", "SCSI CD-ROM, Disk, Read/Write Optical Device Software", True),
    ("devices.chrp.base.rte", "RISC PC Base System Device Software (CHRP)", True),
    ("devices.pci.e414a816.rte", "Gigabit Ethernet-SX PCI-X Adapter Software", True),
    ("openssh.base.client", "Open Secure Shell Commands", True),
    ("openssh.base.server", "Open Secure Shell Server", True),
    ("openssl.base", "Open Secure Socket Layer", True),
    ("perl.rte", "Perl Version 5 Runtime Environment", False),
    ("xlC.rte", "IBM XL C++ Runtime for AIX", False),
    ("xlC.aix61.rte", "IBM XL C++ Runtime for AIX 6.1 and later", False),
    ("Java8_64.sdk", "Java SDK 64-bit", False),
    ("lwi.runtime", "Lightweight Infrastructure Runtime", False),
    ("X11.base.rte", "AIXwindows Runtime Environment", True),
    ("X11.base.lib", "AIXwindows Runtime Libraries", False),
    ("X11.apps.xterm", "AIXwindows xterm Application", False),
)


def _fileset(i: int) -> tuple[str, str, bool]:
    if i < len(FILESETS):
        return FILESETS[i]
    # Past the list: more device support, as a large LPAR with many adapters has.
    return (f"devices.pci.{0x14100000 + i:08x}.rte", "PCI Adapter Software", True)


def _elapsed(seconds: int) -> str:
    mins, secs = divmod(seconds, 60)
    return f"{mins} mins {secs} secs" if mins else f"{secs} secs"


def _body(count: int, level: str, copyright_lines: int) -> list[str]:
    return install_output([(*_fileset(i), level) for i in range(count)], copyright_lines)


def applied(filesets: dict[str, str]) -> list[str]:
    """installp's output for applying these filesets (fileset -> level), e.g. from `nim -o cust`."""
    known = {name: (desc, root) for name, desc, root in FILESETS}
    sets = [(f, *known.get(f, (f, True)), v) for f, v in filesets.items()]
    return install_output(sets, 0, total_secs=7 * len(sets))


def install_output(
    sets: list[tuple[str, str, bool, str]], copyright_lines: int, total_secs: int = 29 * 60 + 31
) -> list[str]:
    """Verification, the APPLYING blocks and the summary for (fileset, description, root part, level)."""
    count = len(sets)
    head = [
        RULE,
        "                    Pre-installation Verification...",
        RULE,
        "Verifying selections...done",
        "Verifying requisites...done",
        "Results...",
        "",
        "SUCCESSES",
        "---------",
        "  Filesets listed in this section passed pre-installation verification",
        "  and will be installed.",
        "",
        "  Selected Filesets",
        "  -----------------",
    ]
    head += [f"  {name + ' ' + level:<44}# {desc}" for name, desc, _, level in sets]
    head += [
        "",
        "  << End of Success Section >>",
        "",
        RULE,
        "                   BUILDDATE Verification ...",
        RULE,
        "Verifying build dates...done",
        "FILESET STATISTICS ",
        "------------------",
        f"  {count} Selected to be installed, of which:",
        f"      {count} Passed pre-installation verification",
        "  ----",
        f"  {count} Total to be installed",
        "",
        RULE,
        "                         Installing Software...",
        RULE,
        "",
    ]
    body: list[str] = []  # a migration's phase 6 takes about 30 minutes: the default total
    for i, (name, _, _, level) in enumerate(sets, start=1):
        body += ["installp: APPLYING software for:", f"        {name} {level}", ""]
        if i == 1 and copyright_lines:
            body += _copyright(copyright_lines)
        body += [f"Filesets processed:  {i} of {count}  (Total time:  {_elapsed(total_secs * i // count)}).", ""]
    tail = [
        f"Finished processing all filesets.  (Total time:  {_elapsed(total_secs)}).",
        "",
        RULE,
        "                                Summaries:",
        RULE,
        "",
        "Installation Summary",
        "--------------------",
        f"{'Name':<28}{'Level':<16}{'Part':<12}{'Event':<12}Result",
        "-" * 79,
    ]
    for name, _, root, level in sets:
        tail.append(f"{name:<28}{level:<16}{'USR':<12}{'APPLY':<12}SUCCESS")
        if root:
            tail.append(f"{name:<28}{level:<16}{'ROOT':<12}{'APPLY':<12}SUCCESS")
    return head + body + tail


def _copyright(n: int) -> list[str]:
    notice = [
        ". . . . . << Copyright notice for bos >> . . . . . . .",
        " Licensed Materials - Property of IBM",
        "",
        " 5765CD200",
        "   Copyright International Business Machines Corp. 1985, 2021.",
        "",
        " All rights reserved.",
        " US Government Users Restricted Rights - Use, duplication or disclosure",
        " restricted by GSA ADP Schedule Contract with IBM Corp.",
        ". . . . . << End of copyright notice for bos >>. . . .",
    ]
    if n < 2:
        return [""] * n
    middle = notice[1:-1] + [f"   Copyright IBM Corp. {1985 + k}." for k in range(max(0, n - len(notice)))]
    return [notice[0], *middle[: n - 2], notice[-1]]


def fileset_level(oslevel_s: str) -> str:
    """`7200-05-06-2320` -> `7.2.5.100`: the level of the filesets a migration to that TL installs."""
    return f"{oslevel_s[0]}.{oslevel_s[1]}.{int(oslevel_s[5:7])}.100"


def _lines_per_fileset(i: int) -> int:
    # selected-list line + APPLYING block (5) + summary USR line + ROOT line if the fileset has a root part
    return 7 + (1 if _fileset(i)[2] else 0)


def body(lines: int, oslevel_s: str) -> list[str]:
    """Exactly `lines` lines of installp output for a migration to `oslevel_s` (empty for 0)."""
    if lines <= 0:
        return []
    level = fileset_level(oslevel_s)
    used = len(_body(1, level, 0)) - _lines_per_fileset(0)  # the fixed part
    count = 0
    while used + _lines_per_fileset(count) <= lines:
        used += _lines_per_fileset(count)
        count += 1
    if count == 0:  # too few lines for even one fileset: the start of the output
        return _body(1, level, 0)[:lines]
    # The remainder goes into the copyright notice of the first fileset, as installp prints one there.
    return _body(count, level, lines - used)
