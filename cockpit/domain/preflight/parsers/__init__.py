"""Parsers of the AIX command outputs the preflight reads.

They key on the structure of the output (column positions, colon fields, stanza shape), not on
English header words, so a host in another locale or a CRLF capture still parses. Each module
covers one family of commands; `ParseError` means the output is not the command's at all.
"""

from cockpit.domain.preflight.parsers.common import ParseError

__all__ = ["ParseError"]
