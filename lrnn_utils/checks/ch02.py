"""Checks for the coding exercises of chapter 2."""

__all__: list[str] = []
