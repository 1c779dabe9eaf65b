"""Checks for the coding exercises of chapter 3."""

__all__: list[str] = []
