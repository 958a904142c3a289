"""Reading troubleshooting probes: the step's process tree, the client's NFS mounts."""

from cockpit.domain.troubleshoot import client_mounts, parse_ps, probes, process_tree, render_tree

PS = """\
    PID    PPID     ELAPSED COMMAND
      1       0  2-01:02:03 /etc/init
   4100       1       55:10 /bin/sh -c /bin/sh ./cmd > out 2>&1; echo $? > rc.tmp; mv rc.tmp rc
   4101    4100       55:10 /bin/sh ./cmd
   4102    4101       55:09 /usr/sbin/nimadm -c lpar01 -l lpp -s spot -d hdisk2 -Y
   4200    4102       12:01 /usr/sbin/mount -o vers=3 lpar01:/alt_inst/usr /lpar01_alt/alt_inst/usr
   5000       1        1:00 /usr/sbin/syslogd
"""


def test_process_tree_under_the_step_wrapper() -> None:
    tree = process_tree(parse_ps(PS), 4100)
    assert [(depth, p.pid) for depth, p in tree] == [(0, 4100), (1, 4101), (2, 4102), (3, 4200)]
    text = render_tree(tree)
    assert "      4200       12:01  /usr/sbin/mount -o vers=3 lpar01:/alt_inst/usr" in text
    assert "syslogd" not in text


def test_no_tree_when_the_step_is_gone() -> None:
    assert render_tree(process_tree(parse_ps(PS), 999)).startswith("(no process left")


def test_client_mounts_filters_the_clients_alt_inst() -> None:
    mount = """\
  node       mounted        mounted over    vfs       date        options
-------- ---------------  ---------------  ------ ------------ ---------------
         /dev/hd4         /                jfs2   Nov 20 10:00 rw,log=/dev/hd8
lpar01   /alt_inst/usr    /lpar01_alt/alt_inst/usr nfs3   Nov 22 02:10 rw
lpar011  /alt_inst        /lpar011_alt/alt_inst nfs3   Nov 22 02:10 rw
"""
    assert client_mounts(mount, "lpar01") == [
        "lpar01   /alt_inst/usr    /lpar01_alt/alt_inst/usr nfs3   Nov 22 02:10 rw"
    ]


def test_probe_commands_are_quoted_and_name_the_client() -> None:
    by_key = {p.key: p for p in probes("lpar01")}
    assert by_key["alt_mig_log"].command == "tail -n 40 /var/adm/ras/alt_mig/lpar01_alt_mig.log"
    assert by_key["lsnim"].command == "lsnim -l lpar01"
    assert by_key["nimsh_log"].on == "client"
