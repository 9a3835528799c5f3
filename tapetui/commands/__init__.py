"""The ``tapetui`` subcommands and what they share: option types, path checks, parsers."""
