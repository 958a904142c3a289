"""Turn a byte stream from a host into clean text lines, chunk by chunk.

A chunk read from SSH can end in the middle of a line or of a UTF-8 sequence; the splitter keeps the
remainder for the next chunk. Control characters and terminal escapes are removed here, once, so
that no view has to care (cockpit.domain.printable, the one place that knows them).
"""

from __future__ import annotations

import codecs

from cockpit.domain.printable import printable


def clean(line: str) -> str:
    """One line of host output as it may be shown: tabs kept, escapes and other controls removed."""
    if "\r" in line:
        # Progress bars rewrite the line with CR; what an operator saw last is the final segment.
        line = line.rstrip("\r").rsplit("\r", 1)[-1]
    return printable(line, multiline=True)


class LineSplitter:
    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._partial = ""

    def feed(self, chunk: bytes) -> list[str]:
        text = self._partial + self._decoder.decode(chunk)
        if "\n" not in text:
            self._partial = text
            return []
        *complete, self._partial = text.split("\n")
        return [clean(line) for line in complete]

    def flush(self) -> list[str]:
        """The last line if the stream ended without a newline."""
        text = self._partial + self._decoder.decode(b"", final=True)
        self._partial = ""
        return [clean(text)] if text else []
