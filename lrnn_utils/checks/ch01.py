"""Checks for the coding exercises of chapter 1."""

__all__: list[str] = []
