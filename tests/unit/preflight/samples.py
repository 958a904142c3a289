"""Command outputs the preflight parsers are tested on.

Verbatim where a source printed them (source in the comment); where the reference marks a layout
Assumed, the sample follows that layout and says so. The field report's fleet: client adachi-AIX7, NIM
master adachi-nim (AIX 7.2 TL5 SP6, bos.alt_disk_install.rte 7.2.5.101), lpp_source_AIX72TL5,
spot_AIX72TL5, target disk hdisk2.
"""

# --- lssrc -s nimsh (the layout IBM's ansible-power-aix validate_nim_connection.yml reads) ---
LSSRC_ACTIVE = (
    "Subsystem         Group            PID          Status\n nimsh            nimclient        5571004      active\n"
)
LSSRC_INOPERATIVE = (
    "Subsystem         Group            PID          Status\n"
    " nimsh            nimclient                     inoperative\n"
)
# SRC message for an undefined subsystem (same text the simulator prints).
LSSRC_NOT_ON_FILE = "0513-085 The nimsh Subsystem is not on file.\n"
# Another locale: header and status words translated; the PID still tells a running subsystem.
LSSRC_FRENCH_ACTIVE = (
    "Sous-système      Groupe           PID          Etat\n nimsh            nimclient        5571004      actif\n"
)
LSSRC_FRENCH_INOPERATIVE = (
    "Sous-système      Groupe           PID          Etat\n nimsh            nimclient                     inopérant\n"
)

# --- netstat -Aan (captured on AIX 7.3, gopsutil net_aix_test.go; verbatim) ---
NETSTAT_AAN_AIX73 = """Active Internet connections (including servers)
PCB/ADDR         Proto Recv-Q Send-Q  Local Address      Foreign Address    (state)
f1000f00055bcbc0 tcp        0      0  *.*                   *.*                   CLOSED
f1000f00055963c0 tcp4       0      0  *.*                   *.*                   CLOSED
f1000f000017e3c0 tcp6       0      0  *.22                  *.*                   LISTEN
f1000f0000287bc0 tcp4       0      0  *.22                  *.*                   LISTEN
f1000f000017f3c0 tcp4       0      0  *.25                  *.*                   LISTEN
f1000f00002d8bc0 tcp4       0      0  192.168.242.122.22    24.236.207.124.33236  ESTABLISHED
f1000f00055eabc0 tcp6       0      0  ::1.6010              *.*                   LISTEN
f1000f000561c3c0 tcp4       0      0  192.168.242.122.34898 34.120.255.184.443    ESTABLISHED
f1000f0000140600 udp        0      0  *.111                 *.*
f1000f000017be00 udp        0      0  *.161                 *.*
f1000f0005582e00 udp        0      0  *.514                 *.*

Active UNIX domain sockets
SADR/PCB         Type   Recv-Q Send-Q      Inode            Conn             Refs           Nextref      Addr
f1000f0000144808 dgram       0      0                0 f1000f00055a1b00                0                0
f1000f0000145580
f1000f000010a408 dgram       0      0 f1000b02a0354c20                0                0                0 /dev/SRC
f1000f000557b280
"""

# The same layout with nimsh listening (3901 primary, 3902 secondary) and an established NIM session.
NIMSH_PCB_3901 = "f1000f0000311bc0"
NIMSH_PCB_3902 = "f1000f0000312bc0"
NETSTAT_NIMSH = f"""Active Internet connections (including servers)
PCB/ADDR         Proto Recv-Q Send-Q  Local Address      Foreign Address    (state)
f1000f0000287bc0 tcp4       0      0  *.22                  *.*                   LISTEN
{NIMSH_PCB_3901} tcp4       0      0  *.3901                *.*                   LISTEN
{NIMSH_PCB_3902} tcp4       0      0  *.3902                *.*                   LISTEN
f1000f00002d8bc0 tcp4       0      0  10.1.1.20.3901        10.1.1.10.1022        ESTABLISHED
f1000f0000140600 udp        0      0  *.111                 *.*
"""
# SAP instance 01's message server took 3901 (rdisp/msserv_internal = 3901); nimsh kept 3902.
SAP_PCB_3901 = "f1000f0000411bc0"
NETSTAT_SAP_3901 = NETSTAT_NIMSH.replace(NIMSH_PCB_3901, SAP_PCB_3901)
# Plain `netstat -an` (no PCB column).
NETSTAT_AN = """Active Internet connections (including servers)
Proto Recv-Q Send-Q  Local Address          Foreign Address        (state)
tcp4       0      0  *.3901                 *.*                    LISTEN
tcp4       0      0  *.3902                 *.*                    LISTEN
"""

# --- rmsock <pcb> tcpcb (verbatim from public AIX notes; "proccess" is AIX's own spelling) ---
RMSOCK_ABC = "The socket 0xf1000e000288c008 is being held by proccess 10551550 (abc).\n"
RMSOCK_JAVAW = "The socket 0xf100050003820008 is being held by proccess 4325554 (javaw).\n"
RMSOCK_NOT_A_SOCKET = "It is not a socket\n"
RMSOCK_NIMSH = "The socket 0xf1000f0000311808 is being held by proccess 5571004 (nimsh).\n"
RMSOCK_SAP = "The socket 0xf1000f0000411808 is being held by proccess 4718730 (msg_server).\n"

# --- lslpp -lcq (values assumed) and the not-installed line (the field report) ---
LSLPP_LCQ = "/usr/lib/objrepos:bos.alt_disk_install.rte:7.2.5.101::COMMITTED:F:Alternate Disk Installation Runtime:\n"
LSLPP_NOT_INSTALLED = "lslpp: Fileset bos.alt_disk_install.rte not installed.\n"
LSLPP_NOT_INSTALLED_VIA_NIM = "   /usr/bin/lslpp: Fileset bos.alt_disk_install.rte not installed.\n"

# --- nim -o showres -a lslpp_flags=Lc <spot>
# (lslpp -Lc: header with #, fields 1-3 as ansible-power-aix nim_resource.py reads them;
#     header text assumed) ---
LC_HEADER = (
    "#Package Name:Fileset:Level:State:PTF Id:Fix State:Type:Description:Destination Dir.:Uninstaller:"
    "Message Catalog:Message Set:Message Number:Parent:Automatic:EFIX Locked:Install Path:Build Date\n"
)
SPOT_LC = LC_HEADER + (
    "bos.rte:bos.rte:7.2.5.101: : :C:F:Base Operating System Runtime: : : : : : :0:0:/:2045\n"
    "bos.alt_disk_install:bos.alt_disk_install.rte:7.2.5.101: : :C:F:Alternate Disk Installation Runtime"
    ": : : : : : :0:0:/:2045\n"
    "bos.sysmgt:bos.sysmgt.nim.client:7.2.5.101: : :C:F:Network Install Manager - Client Tools: : : : : : :0:0:/:2045\n"
)
SPOT_LC_WITHOUT_FILESET = LC_HEADER + (
    "bos.rte:bos.rte:7.2.5.101: : :C:F:Base Operating System Runtime: : : : : : :0:0:/:2045\n"
)
SPOT_LC_OLDER = SPOT_LC.replace("bos.alt_disk_install.rte:7.2.5.101", "bos.alt_disk_install.rte:7.2.5.100")

# --- nim -o showres -a installp_flags=L <lpp_source> (installp -L: package:fileset:level:..., assumed) ---
LPP_L = (
    "bos.rte:bos.rte:7.2.5.0::I:T:::::N:Base Operating System Runtime ::::0::\n"
    "bos.rte:bos.rte:7.2.5.101::S:T:::::N:Base Operating System Runtime ::::0::\n"
    "bos.alt_disk_install:bos.alt_disk_install.rte:7.2.5.0::I:T:::::N:Alternate Disk Installation Runtime ::::0::\n"
    "bos.alt_disk_install:bos.alt_disk_install.rte:7.2.5.101::S:T:::::N:Alternate Disk Installation Runtime ::::0::\n"
)
LPP_L_73 = LPP_L.replace("7.2.5.", "7.3.1.")
LPP_L_WITHOUT_FILESET = "".join(line + "\n" for line in LPP_L.splitlines() if "alt_disk" not in line)

# --- oslevel -s (as quoted on Chris Gibson's AIX blog) ---
OSLEVEL_MASTER = "7200-05-06-2320\n"
OSLEVEL_GIBSON_53 = "5300-12-04-1119\n"
OSLEVEL_GIBSON_71 = "7100-01-01-1141\n"

# --- lspv (ansible-power-aix alt_disk.py's line verbatim; simulator states assumed) ---
LSPV_ANS = "hdisk0           000018fa3b12f5cb                     rootvg           active\n"
LSPV_BEFORE = (
    "hdisk0          00f6a07c1dc6aaaa                    rootvg          active\n"
    "hdisk2          00f6a07c1dc6f18a                    None\n"
    "hdisk3          00f6a07c1dc6f2bb                    None\n"
)
LSPV_AFTER_NIMADM = (
    "hdisk0          00f6a07c1dc6aaaa                    rootvg          active\n"
    "hdisk2          00f6a07c1dc6f18a                    altinst_rootvg\n"
)
LSPV_AFTER_REBOOT = (
    "hdisk0          00f6a07c1dc6aaaa                    old_rootvg\n"
    "hdisk2          00f6a07c1dc6f18a                    rootvg          active\n"
)
LSPV_TARGET_IN_DATAVG = (
    "hdisk0          00f6a07c1dc6aaaa                    rootvg          active\n"
    "hdisk2          00f6a07c1dc6f18a                    datavg          active\n"
    "hdisk3          00f6a07c1dc6f2bb                    None\n"
)

# --- lsvg <vg> (layout verbatim from ansible-power-aix tests/unit/.../sample_lsvg_output1) ---
LSVG_ANS_TESTVG = "".join(
    line + "\n"
    for line in (
        "VOLUME GROUP:       testvg                   VG IDENTIFIER:  00f6f42a00004c000000017a0bd88942",
        "VG STATE:           active                   PP SIZE:        16 megabyte(s)",
        "VG PERMISSION:      read/write               TOTAL PPs:      2550 (40800 megabytes)",
        "MAX LVs:            256                      FREE PPs:       2550 (40800 megabytes)",
        "LVs:                0                        USED PPs:       0 (0 megabytes)",
        "OPEN LVs:           0                        QUORUM:         2 (Enabled)",
        "TOTAL PVs:          2                        VG DESCRIPTORS: 3",
        "STALE PVs:          0                        STALE PPs:      0",
        "ACTIVE PVs:         2                        AUTO ON:        yes",
        "MAX PPs per VG:     32768                    MAX PVs:        1024",
        "LTG size (Dynamic): 256 kilobyte(s)          AUTO SYNC:      no",
        "HOT SPARE:          no                       BB POLICY:      relocatable ",
        "MIRROR POOL STRICT: off                                       ",
        "PV RESTRICTION:     none                     INFINITE RETRY: no",
        "DISK BLOCK SIZE:    512                      CRITICAL VG:    no",
        "FS SYNC OPTION:     no                       CRITICAL PVs:   no",
        "ENCRYPTION:         no",
        "testvg:",
        "PV_NAME           PV STATE          TOTAL PPs   FREE PPs    FREE DISTRIBUTION",
        "hdisk1            active            1275        1275        255..255..255..255..255",
        "Physical Volume   Mirror Pool       ",
        "hdisk1            mp1               ",
    )
)
# rootvg in the same layout with sample figures (639 / 404 PPs of 64 MB).
LSVG_ROOTVG = """VOLUME GROUP:       rootvg                   VG IDENTIFIER:  00f6a07c00004c000000017a0bd81111
VG STATE:           active                   PP SIZE:        64 megabyte(s)
VG PERMISSION:      read/write               TOTAL PPs:      639 (40896 megabytes)
MAX LVs:            256                      FREE PPs:       235 (15040 megabytes)
LVs:                12                       USED PPs:       404 (25856 megabytes)
OPEN LVs:           10                       QUORUM:         2 (Enabled)
TOTAL PVs:          1                        VG DESCRIPTORS: 2
STALE PVs:          0                        STALE PPs:      0
ACTIVE PVs:         1                        AUTO ON:        yes
MAX PPs per VG:     32512
MAX PPs per PV:     1016                     MAX PVs:        32
LTG size (Dynamic): 256 kilobyte(s)          AUTO SYNC:      no
HOT SPARE:          no                       BB POLICY:      relocatable
PV RESTRICTION:     none                     INFINITE RETRY: no
DISK BLOCK SIZE:    512                      CRITICAL VG:    no
FS SYNC OPTION:     no                       CRITICAL PVs:   no
"""
# The same in a German-like locale: labels and unit words translated, numbers and brackets kept.
LSVG_ROOTVG_GERMAN = """DATENTRÄGERGRUPPE:  rootvg                   VG-KENNUNG:     00f6a07c00004c000000017a0bd81111
VG-STATUS:          aktiv                    PP-GRÖSSE:      64 Megabyte
VG-BERECHTIGUNG:    Lesen/Schreiben          PPs GESAMT:     639 (40896 Megabyte)
MAX. LVs:           256                      FREIE PPs:      235 (15040 Megabyte)
LVs:                12                       BELEGTE PPs:    404 (25856 Megabyte)
OFFENE LVs:         10                       QUORUM:         2 (Aktiviert)
"""
# Cache VG on the master (nimadm -j nimvg).
LSVG_NIMVG = LSVG_ANS_TESTVG.replace("testvg", "nimvg")
LSVG_NOT_FOUND = "0516-306 lsvg: Unable to find volume group nimvg in the Device Configuration Database.\n"

# --- lsvg -l rootvg (standard AIX layout, assumed; LV names from the field report's phase 1) ---
LSVG_L_ROOTVG = """rootvg:
LV NAME             TYPE       LPs     PPs     PVs  LV STATE      MOUNT POINT
hd5                 boot       1       1       1    closed/syncd  N/A
hd6                 paging     8       8       1    open/syncd    N/A
hd8                 jfs2log    1       1       1    open/syncd    N/A
hd4                 jfs2       4       4       1    open/syncd    /
hd2                 jfs2       40      40      1    open/syncd    /usr
hd9var              jfs2       8       8       1    open/syncd    /var
hd3                 jfs2       4       4       1    open/syncd    /tmp
hd1                 jfs2       1       1       1    open/syncd    /home
hd10opt             jfs2       8       8       1    open/syncd    /opt
hd11admin           jfs2       1       1       1    open/syncd    /admin
lg_dumplv           sysdump    16      16      1    open/syncd    N/A
livedump            jfs2       2       2       1    open/syncd    /var/adm/ras/livedump
"""
LSVG_L_MULTIBOS = (
    LSVG_L_ROOTVG
    + """bos_hd5             boot       1       1       1    closed/syncd  N/A
bos_hd4             jfs2       4       4       1    closed/syncd  /bos_inst
bos_hd2             jfs2       40      40      1    closed/syncd  /bos_inst/usr
bos_hd9var          jfs2       8       8       1    closed/syncd  /bos_inst/var
bos_hd10opt         jfs2       8       8       1    closed/syncd  /bos_inst/opt
"""
)

# --- lvlstmajor (format of lvlstmajor.c: `a`, `a,b`, `a..b` separated by commas, then `N...`) ---
LVLSTMAJOR = "43,45..50,60...\n"
LVLSTMAJOR_FROM_SOURCE = "0..9,11,13,14,17..42,44...\n"

# --- ls -al /dev (AIX layout; the hdisk9 line is the one of the issue) ---
LS_DEV = """total 16
drwxrwxr-x   13 root     system        12288 Nov 20 10:00 .
drwxr-xr-x   23 root     system         4096 Nov 18 09:12 ..
crw-rw----    1 root     system       10,  0 Nov 18 09:12 IPL_rootvg
brw-rw----    1 root     system       10,  1 Nov 18 09:12 hd5
brw-------    1 root     system       13,  0 Nov 18 09:12 hdisk0
crw-------    1 root     system       13,  0 Nov 18 09:12 rhdisk0
crw-rw-rw-    1 root     system        2,  2 Nov 18 09:12 null
lrwxrwxrwx    1 root     system           15 Nov 18 09:12 stdin -> /proc/self/fd/0
"""
LS_DEV_GHOST = LS_DEV + "crw-rw----    1 root     system       43,  0 Nov 20 10:00 hdisk9\n"

# --- odmget -q value1=43 CuDvDr (stanza layout assumed) ---
ODMGET_GHOST = """
CuDvDr:
        resource = "devno"
        value1 = "43"
        value2 = "0"
        value3 = "hdisk9"
"""

# --- lsnim -l <client> (attributes as ansible-power-aix nim.py reads them, spacing assumed) ---
LSNIM_CLIENT = """adachi-AIX7:
   class          = machines
   type           = standalone
   connect        = nimsh
   platform       = chrp
   netboot_kernel = 64
   if1            = master_net adachi-AIX7.example.com AED8E7E90202 ent0
   cable_type1    = N/A
   Cstate         = ready for a NIM operation
   prev_state     = ready for a NIM operation
   Mstate         = currently running
   Cstate_result  = success
"""
LSNIM_BUSY = LSNIM_CLIENT.replace(
    "Cstate         = ready for a NIM operation", "Cstate         = alt_disk_install operation is being performed"
)
# as ansible-power-aix expects it: stderr, exit 53
LSNIM_MISSING = '0042-053 lsnim: there is no NIM object named "adachi-AIX7"\n'

# --- /etc/niminfo on the client (ksh exports; variable names as ansible-power-aix reads them, layout assumed) ---
NIMINFO = """#------------------ Network Install Manager ---------------
# warning - this file contains NIM configuration information
#       and should only be updated by NIM
export NIM_NAME=adachi-AIX7
export NIM_HOSTNAME=adachi-AIX7
export NIM_CONFIGURATION=standalone
export NIM_MASTER_HOSTNAME=adachi-nim
export NIM_MASTER_PORT=1058
export NIM_REGISTRATION_PORT=1059
export NIM_SHELL="nimsh"
export NIM_BOS_IMAGE=/SPOT/usr/sys/inst.images/installp/ppc/bos
"""
NIMINFO_OTHER_MASTER = NIMINFO.replace("NIM_MASTER_HOSTNAME=adachi-nim", "NIM_MASTER_HOSTNAME=nim02.example.com")

# --- nimadm pre-check failure of the field report (verbatim) ---
PRECHECK_0505_204_205 = """0042-001 nim: processing error encountered on "master":
   /usr/bin/lslpp: Fileset bos.alt_disk_install.rte not installed.

0505-204 nimadm: SPOT spot_AIX72TL5 does not have bos.alt_disk_install.rte installed.
0505-205 nimadm: The level of bos.alt_disk_install.rte installed in SPOT
spot_AIX72TL5 (0.0.0.0) does not match the NIM master's level (7.2.5.101).
"""
