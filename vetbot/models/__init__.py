"""Interchange-format models (profile, result, evaluation records): the lowest layer, imports nothing of vetbot's."""
