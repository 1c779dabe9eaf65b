"""Checks for the coding exercises of chapter 6."""

__all__: list[str] = []
