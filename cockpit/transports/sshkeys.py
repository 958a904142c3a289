"""Client keys offered to a host one at a time, configured keys before the ssh-agent's, and the one accepted.

asyncssh's own agent support puts the agent's keys before the configured ones; with a full agent sshd
(MaxAuthTries 6) would refuse the connection before the key meant for the host is tried. Offering
the keys here also tells which key the host accepted: its fingerprint is the cockpit's SSH identity in
the record (who gave a waiver, with which key).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
from collections.abc import Sequence

import asyncssh


class KeyOffer(asyncssh.SSHClient):
    """Offers the configured keys one at a time, then the ssh-agent's, and remembers the one accepted.

    asyncssh's own agent support puts the agent's keys before the configured ones; with a full agent
    sshd (MaxAuthTries 6) would refuse the connection before the key meant for the host is tried.
    asyncssh calls public_key_auth_requested() whenever its own key list (left empty) is used up, so
    handing it one key per call keeps the order and tells which key the server took: the last one
    handed out when authentication completes (password and keyboard-interactive are never offered).
    """

    def __init__(self, keys: Sequence[asyncssh.SSHKeyPair], agent_path: str | None, only: list[str] | None) -> None:
        self._keys = list(keys)
        self._agent_path = agent_path
        self._only = only  # IdentitiesOnly: the configured key files the agent's keys must match
        self._agent: asyncssh.SSHAgentClient | None = None
        self._offered: asyncssh.SSHKeyPair | None = None
        self.accepted: str | None = None
        """SHA256 fingerprint of the key the server accepted (None until it did)."""

    async def public_key_auth_requested(self) -> list[asyncssh.SSHKeyPair] | None:
        if not self._keys:
            self._keys = await self._agent_keys()
        if not self._keys:
            self._offered = None
            return None
        self._offered = self._keys.pop(0)
        return [self._offered]

    async def _agent_keys(self) -> list[asyncssh.SSHKeyPair]:
        path, self._agent_path = self._agent_path, None  # once: after the agent's keys, give up
        if path is None:
            return []
        try:
            self._agent = await asyncssh.connect_agent(path)
            keys = list(await self._agent.get_keys())
        except (OSError, ValueError, asyncssh.Error):
            return []  # no agent there: as ssh, go on without it
        if self._only is not None:
            wanted = _public_blobs(self._only)
            keys = [k for k in keys if k.public_data in wanted]
        return keys

    def auth_completed(self) -> None:
        if self._offered is not None:
            self.accepted = fingerprint(self._offered.key_public_data)
        self._close_agent()

    def connection_lost(self, exc: Exception | None) -> None:
        self._close_agent()

    def _close_agent(self) -> None:
        agent, self._agent = self._agent, None
        if agent is not None:
            agent.close()


def fingerprint(public_blob: bytes) -> str:
    """`SHA256:...` of an SSH public key blob, as `ssh-keygen -l` and sshd's log print it."""
    return "SHA256:" + base64.b64encode(hashlib.sha256(public_blob).digest()).decode().rstrip("=")


def _public_blobs(key_files: list[str]) -> set[bytes]:
    """The public keys of key files (their .pub, else the private key itself if it is not encrypted)."""
    blobs: set[bytes] = set()
    for path in key_files:
        try:
            blobs.add(asyncssh.read_public_key(path + ".pub").public_data)
            continue
        except (OSError, asyncssh.KeyImportError):
            pass
        with contextlib.suppress(OSError, asyncssh.KeyImportError):
            blobs.add(asyncssh.read_private_key(path).public_data)
    return blobs
