"""Checks for the coding exercises of chapter 7."""

__all__: list[str] = []
