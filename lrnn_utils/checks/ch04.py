"""Checks for the coding exercises of chapter 4."""

__all__: list[str] = []
