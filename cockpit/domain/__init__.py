"""Pure domain layer: models, parsers, verdicts. No I/O, no Textual, no asyncssh."""
