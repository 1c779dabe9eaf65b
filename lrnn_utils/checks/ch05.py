"""Checks for the coding exercises of chapter 5."""

__all__: list[str] = []
