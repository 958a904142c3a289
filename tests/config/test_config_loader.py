"""load_config: every bad file gives one-line problems at the right FILE:LINE:COL and key path."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cockpit.config import Config, ConfigError, ConfigProblem, load_config

# Line numbers of this text are used by the table below: keep them in sync.
VALID = """\
hosts:
  - name: nim01
    address: 192.0.2.10
    role: nim_master
  - name: lpar01
    address: 192.0.2.21
    port: 22
  - name: lpar02
    address: 192.0.2.22
plan:
  master: nim01
  lpp_source: lpp_7300
  spot: spot_7300
  clients:
    - host: lpar01
      disk: hdisk1
    - host: lpar02
      disk: hdisk2
"""


def write(tmp_path: Path, content: str | bytes, name: str = "cockpit.yaml") -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def variant(old: str, new: str) -> str:
    assert VALID.count(old) == 1, old
    return VALID.replace(old, new)


def problems_of(path: Path) -> list[ConfigProblem]:
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    problems = caught.value.problems
    for p in problems:
        assert "\n" not in str(p) and "\r" not in str(p)
        assert "http" not in str(p) and "Value error" not in str(p)
    return problems


def only_line(path: Path) -> str:
    problems = problems_of(path)
    assert len(problems) == 1, [str(p) for p in problems]
    return str(problems[0])


def test_valid_config_loads(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, VALID))
    assert isinstance(config, Config)
    assert [h.name for h in config.hosts] == ["nim01", "lpar01", "lpar02"]
    assert config.master.name == "nim01"
    assert [c.disks for c in config.plan.clients] == [["hdisk1"], ["hdisk2"]]


# (id, config text, "LINE:COL", key path, message)
MALFORMED = [
    (
        "yaml-syntax",
        variant("  master: nim01\n", "  master: nim01: x\n"),
        "11:16",
        "",
        "invalid YAML: mapping values are not allowed here",
    ),
    (
        "yaml-unclosed-flow",
        variant("      disk: hdisk2\n", "      disk: [hdisk2\n"),
        "19:1",
        "",
        "invalid YAML: expected ',' or ']', but got '<stream end>' "
        "(while parsing a flow sequence started at line 18, column 13)",
    ),
    (
        "yaml-tab-indent",
        variant("    port: 22\n", "\tport: 22\n"),
        "7:1",
        "",
        "invalid YAML: found character '\\t' that cannot start any token",
    ),
    (
        "port-wrong-type",
        variant("    port: 22\n", "    port: twenty-two\n"),
        "7:11",
        "hosts[1].port",
        "expected a whole number, got 'twenty-two'",
    ),
    (
        "port-boolean",
        variant("    port: 22\n", "    port: yes\n"),
        "7:11",
        "hosts[1].port",
        "expected a number, got true (YAML reads yes/no/on/off/true/false as booleans)",
    ),
    (
        "port-out-of-range",
        variant("    port: 22\n", "    port: 70000\n"),
        "7:11",
        "hosts[1].port",
        "should be less than or equal to 65535, got 70000 (a number)",
    ),
    (
        "port-zero",
        variant("    port: 22\n", "    port: 0\n"),
        "7:11",
        "hosts[1].port",
        "should be greater than or equal to 1, got 0 (a number)",
    ),
    (
        "unknown-key-typo",
        variant("    port: 22\n", "    prot: 22\n"),
        "7:5",
        "hosts[1].prot",
        "unknown key (did you mean 'port'?)",
    ),
    (
        "unknown-key-top-level",
        VALID + "verbose: true\n",
        "19:1",
        "verbose",
        "unknown key (allowed here: ssh, hosts, hosts_from, plan, state_dir, alerts, notify)",
    ),
    (
        "missing-plan-master",
        variant("  master: nim01\n", ""),
        "11:3",
        "plan.master",
        "required key is missing",
    ),
    (
        "missing-plan",
        VALID.split("plan:\n")[0],
        "1:1",
        "plan",
        "required key is missing",
    ),
    (
        "master-is-a-client",
        variant("  master: nim01\n", "  master: lpar01\n"),
        "11:11",
        "plan.master",
        "host 'lpar01' does not have role nim_master",
    ),
    (
        "master-unknown",
        variant("  master: nim01\n", "  master: nim99\n"),
        "11:11",
        "plan.master",
        "no host named 'nim99' in hosts",
    ),
    (
        "client-planned-twice",
        variant("    - host: lpar02\n", "    - host: lpar01\n"),
        "17:13",
        "plan.clients[1].host",
        "client 'lpar01' is planned twice",
    ),
    (
        "unknown-host-in-plan",
        variant("    - host: lpar02\n", "    - host: lpar09\n"),
        "17:13",
        "plan.clients[1].host",
        "no host named 'lpar09' in hosts",
    ),
    (
        "master-planned-as-client",
        variant("    - host: lpar02\n", "    - host: nim01\n"),
        "17:13",
        "plan.clients[1].host",
        "host 'nim01' does not have role client",
    ),
    (
        "duplicate-host-name",
        variant("  - name: lpar02\n", "  - name: lpar01\n"),
        "8:11",
        "hosts[2].name",
        "duplicate host name 'lpar01'",
    ),
    (
        "disk-shell-metachar",
        variant("      disk: hdisk2\n", "      disk: hdisk2;reboot\n"),
        "18:13",
        "plan.clients[1].disk",
        "disk name 'hdisk2;reboot' is not a valid disk name (allowed: ^hdisk[0-9]{1,5}$)",
    ),
    (
        "disk-second-of-two-bad",
        variant("      disk: hdisk2\n", "      disk: hdisk2 $(reboot)\n"),
        "18:13",
        "plan.clients[1].disk",
        "disk name '$(reboot)' is not a valid disk name",
    ),
    (
        "lpp-source-shell-metachar",
        variant("  lpp_source: lpp_7300\n", '  lpp_source: "lpp_7300 $(id)"\n'),
        "12:15",
        "plan.lpp_source",
        "NIM object name 'lpp_7300 $(id)' is not a valid NIM object name",
    ),
    (
        "client-spot-shell-metachar",
        variant("      disk: hdisk1\n", "      disk: hdisk1\n      spot: 'spot|tee'\n"),
        "17:13",
        "plan.clients[0].spot",
        "NIM object name 'spot|tee' is not a valid NIM object name",
    ),
    (
        "host-name-shell-metachar",
        variant("  - name: lpar02\n", '  - name: "lpar02;ls"\n'),
        "8:11",
        "hosts[2].name",
        "host name 'lpar02;ls' is not a valid host name",
    ),
    (
        "user-shell-metachar",
        variant("    port: 22\n", "    user: root`whoami`\n"),
        "7:11",
        "hosts[1].user",
        "user name 'root`whoami`' is not a valid user name",
    ),
    (
        "user-newline-injection",
        variant("    port: 22\n", '    user: "root\\nreboot"\n'),
        "7:11",
        "hosts[1].user",
        "user name 'root\\nreboot' is not a valid user name",
    ),
    (
        "address-shell-metachar",
        variant("    address: 192.0.2.22\n", "    address: 192.0.2.22&&id\n"),
        "9:14",
        "hosts[2].address",
        "address '192.0.2.22&&id' is not a valid address",
    ),
    (
        "cache-vg-too-long",
        variant("  spot: spot_7300\n", "  spot: spot_7300\n  cache_vg: averyveryverylongvg\n"),
        "14:13",
        "plan.cache_vg",
        "volume group name 'averyveryverylongvg' is not a valid volume group name",
    ),
    (
        "duplicate-yaml-key",
        variant("    port: 22\n", "    address: 192.0.2.99\n"),
        "7:5",
        "hosts[1].address",
        "duplicate key 'address' (first given at line 6, column 5)",
    ),
    (
        "name-is-a-number",
        variant("  - name: lpar02\n", "  - name: 7300\n"),
        "8:11",
        "hosts[2].name",
        "expected text, got 7300 (a number); put the value in quotes to make it text",
    ),
    (
        "empty-value",
        variant("  spot: spot_7300\n", "  spot:\n"),
        "13:8",
        "plan.spot",
        "expected text, got an empty value",
    ),
    (
        "role-unknown",
        variant("    role: nim_master\n", "    role: master\n"),
        "4:11",
        "hosts[0].role",
        "should be 'nim_master' or 'client', got 'master'",
    ),
    (
        "hosts-not-a-list",
        "hosts: nim01\n" + VALID.split("  - name: lpar02\n    address: 192.0.2.22\n")[1],
        "1:8",
        "hosts",
        "expected a list, got 'nim01'",
    ),
    (
        "no-clients",
        VALID.split("  clients:\n")[0] + "  clients: []\n",
        "14:12",
        "plan.clients",
        "should have at least 1 item, not 0",
    ),
    (
        "empty-file",
        "",
        "1:1",
        "",
        "the file is empty; expected a mapping with hosts: and plan:",
    ),
    (
        "comments-only",
        "# nothing yet\n",
        "1:1",
        "",
        "the file is empty; expected a mapping with hosts: and plan:",
    ),
    (
        "top-level-list",
        "- hosts\n- plan\n",
        "1:1",
        "",
        "the top level must be a mapping (key: value lines with hosts: and plan:), found a list",
    ),
    (
        "top-level-scalar",
        "hello\n",
        "1:1",
        "",
        "the top level must be a mapping (key: value lines with hosts: and plan:), found the single value 'hello'",
    ),
    (
        "two-documents",
        VALID + "---\nstate_dir: x\n",
        "19:1",
        "",
        "invalid YAML: expected a single document in the stream, but found another document",
    ),
    (
        "unsafe-tag",
        variant("  spot: spot_7300\n", "  spot: !!python/object:os.system echo\n"),
        "13:9",
        "plan.spot",
        "could not determine a constructor for the tag '!!python/object:os.system'",
    ),
    (
        "bad-explicit-int",
        variant("    port: 22\n", "    port: !!int abc\n"),
        "7:11",
        "hosts[1].port",
        "'abc' cannot be read as !!int",
    ),
    (
        "set-tag",
        variant("  spot: spot_7300\n", "  spot: !!set {a, b}\n"),
        "13:9",
        "plan.spot",
        "unsupported YAML tag !!set",
    ),
    (
        "recursive-alias",
        variant("  clients:\n", "  clients: &loop\n    - *loop\n"),
        "14:12",  # an alias has no position of its own: it is the anchored node
        "plan.clients[0]",
        "an alias refers to a mapping or list that contains it",
    ),
    (
        "undefined-alias",
        variant("  spot: spot_7300\n", "  spot: *nowhere\n"),
        "13:9",
        "",
        "invalid YAML: found undefined alias 'nowhere'",
    ),
    (
        "list-as-key",
        variant("    port: 22\n", "    [a, b]: 22\n"),
        "7:5",
        "hosts[1]",
        "a mapping key must be plain text, not a list or mapping",
    ),
    (
        "nul-character",
        variant("  spot: spot_7300\n", "  spot: spot\x00_7300\n"),
        "13:13",
        "",
        "invalid YAML: character #x0000 is not allowed in a YAML file",
    ),
]


@pytest.mark.parametrize(
    ("text", "where", "key", "message"),
    [pytest.param(*case[1:], id=case[0]) for case in MALFORMED],
)
def test_malformed_config_is_one_positioned_line(tmp_path: Path, text: str, where: str, key: str, message: str) -> None:
    path = write(tmp_path, text)
    prefix = f"{path}:{where}: {key}: " if key else f"{path}:{where}: "
    line = only_line(path)
    assert line.startswith(prefix), line
    assert message in line[len(prefix) :], line


def test_example_line_is_exact(tmp_path: Path) -> None:
    path = write(tmp_path, variant("      disk: hdisk2\n", "      disk: hdisk2;\n"))
    assert only_line(path) == (
        f"{path}:18:13: plan.clients[1].disk: disk name 'hdisk2;' is not a valid disk name "
        "(allowed: ^hdisk[0-9]{1,5}$)"
    )


def test_problem_fields_are_structured(tmp_path: Path) -> None:
    path = write(tmp_path, variant("    port: 22\n", "    port: 70000\n"))
    [problem] = problems_of(path)
    assert (problem.file, problem.line, problem.column) == (path, 7, 11)
    assert problem.key_path == ("hosts", 1, "port")
    assert problem.key == "hosts[1].port"


def test_all_field_problems_reported_in_file_order(tmp_path: Path) -> None:
    text = variant("      disk: hdisk2\n", "      disk: hdisk2;\n")
    text = text.replace("    port: 22\n", "    port: 0\n    colour: red\n")
    text = text.replace("  lpp_source: lpp_7300\n", "")
    path = write(tmp_path, text)
    lines = [str(p) for p in problems_of(path)]
    assert lines == [
        f"{path}:7:11: hosts[1].port: should be greater than or equal to 1, got 0 (a number)",
        f"{path}:8:5: hosts[1].colour: unknown key (allowed here: name, address, port, user, key, role, "
        "transport, nim_name, work_dir, proxy_jump)",
        f"{path}:12:3: plan.lpp_source: required key is missing",
        f"{path}:18:13: plan.clients[1].disk: disk name 'hdisk2;' is not a valid disk name "
        "(allowed: ^hdisk[0-9]{1,5}$)",
    ]


def test_config_error_str_is_its_problem_lines(tmp_path: Path) -> None:
    path = write(tmp_path, "- a\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == "\n".join(str(p) for p in caught.value.problems)


def test_non_utf8_names_the_first_bad_byte(tmp_path: Path) -> None:
    path = write(tmp_path, VALID.replace("lpar02", "lpar\xe902", 1).encode("latin-1"))
    assert only_line(path) == (
        f"{path}:8:15: the file is not UTF-8 text (byte 0xe9 at offset {VALID.index('lpar02') + 4})"
    )


def test_utf16_file_is_not_utf8(tmp_path: Path) -> None:
    path = write(tmp_path, VALID.encode("utf-16"))
    assert only_line(path).startswith(f"{path}:1:1: the file is not UTF-8 text (byte 0xff")


def test_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    assert load_config(write(tmp_path, b"\xef\xbb\xbf" + VALID.encode())).master.name == "nim01"


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    assert only_line(path) == f"{path}: cannot read the file: No such file or directory"


def test_directory_is_not_a_config(tmp_path: Path) -> None:
    assert only_line(tmp_path) == f"{tmp_path}: not a regular file"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file(tmp_path: Path) -> None:
    path = write(tmp_path, VALID)
    path.chmod(0)
    assert only_line(path) == f"{path}: cannot read the file: Permission denied"


def test_huge_file_is_refused_without_parsing(tmp_path: Path) -> None:
    path = write(tmp_path, VALID + "#" * (5 * 1024 * 1024))
    assert only_line(path).startswith(f"{path}: file is too large")


def test_alias_bomb_is_bounded(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    path = write(tmp_path, "\n".join(lines) + "\n")
    assert "too many values" in only_line(path)


def test_deep_nesting_is_an_error_not_a_crash(tmp_path: Path) -> None:
    path = write(tmp_path, "hosts: " + "[" * 20000 + "]" * 20000 + "\n")
    assert "nested too deeply" in only_line(path)


def test_merge_keys_share_host_settings(tmp_path: Path) -> None:
    text = variant(
        "  - name: lpar01\n    address: 192.0.2.21\n    port: 22\n",
        "  - &client\n    name: lpar01\n    address: 192.0.2.21\n    port: 2222\n    user: nimops\n",
    ).replace("  - name: lpar02\n", "  - <<: *client\n    name: lpar02\n")
    config = load_config(write(tmp_path, text))
    lpar02 = config.host("lpar02")
    assert (lpar02.address, lpar02.port, lpar02.user) == ("192.0.2.22", 2222, "nimops")


def test_error_in_merged_value_points_at_its_definition(tmp_path: Path) -> None:
    text = variant(
        "  - name: lpar01\n    address: 192.0.2.21\n    port: 22\n",
        "  - &client\n    name: lpar01\n    address: 192.0.2.21\n    port: 22\n    user: Bad\n",
    ).replace("  - name: lpar02\n", "  - <<: *client\n    name: lpar02\n")
    path = write(tmp_path, text)
    assert [str(p).split(": ")[0:2] for p in problems_of(path)] == [
        [f"{path}:9:11", "hosts[1].user"],
        [f"{path}:9:11", "hosts[2].user"],
    ]


def test_yaml_booleans_as_keys_stay_text(tmp_path: Path) -> None:
    path = write(tmp_path, VALID + "on: 1\n")
    assert only_line(path) == (
        f"{path}:19:1: on: unknown key (allowed here: ssh, hosts, hosts_from, plan, state_dir, alerts, notify)"
    )


def test_odd_keys_are_quoted_in_the_key_path(tmp_path: Path) -> None:
    path = write(tmp_path, VALID + '"bad key\\nhere": 1\n')
    allowed = "ssh, hosts, hosts_from, plan, state_dir, alerts, notify"
    assert only_line(path) == f"{path}:19:1: 'bad key\\nhere': unknown key (allowed here: {allowed})"


# --- relative paths ----------------------------------------------------------------------------------

PATHS = """\
ssh:
  known_hosts: ../common/known_hosts
  client_keys: [keys/fleet, ~/.ssh/id_ed25519, /etc/cockpit/key]
state_dir: runs
"""


def test_relative_paths_resolve_against_the_config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    conf_dir = tmp_path / "conf"
    conf_dir.mkdir()
    write(conf_dir, PATHS + variant("    port: 22\n", "    key: keys/lpar01\n"))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))

    config = load_config(Path("../conf/cockpit.yaml"))

    assert config.ssh.known_hosts == conf_dir.parent / "common" / "known_hosts"  # normalised: no ".." in messages
    assert config.ssh.client_keys == [
        conf_dir / "keys/fleet",
        tmp_path / "home/.ssh/id_ed25519",
        Path("/etc/cockpit/key"),
    ]
    assert config.host("lpar01").key == conf_dir / "keys/lpar01"
    assert config.host("nim01").key is None
    assert config.state_dir == conf_dir / "runs"


def test_defaults_for_paths(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, VALID))
    assert config.ssh.known_hosts is None  # the transport's default, ~/.ssh/known_hosts
    assert config.state_dir == tmp_path / "cockpit-state"


def test_tilde_of_unknown_user_is_a_positioned_problem(tmp_path: Path) -> None:
    path = write(tmp_path, variant("    port: 22\n", "    key: ~no_such_user_cockpit/.ssh/id\n"))
    assert only_line(path) == (
        f"{path}:7:10: hosts[1].key: cannot expand '~' in '~no_such_user_cockpit/.ssh/id': "
        "no such user or home directory"
    )
