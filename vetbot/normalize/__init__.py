"""Normalisation for comparison, never for display: text, names, e-mail, phone, country, address.

Pure functions, idempotent (``f(f(x)) == f(x)``), cached where inputs repeat. Used by
checks and by storage's identifier index, so both fold identifiers the same way.
"""
