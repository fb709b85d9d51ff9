"""Interchange-format models (profile, result): the lowest layer, importing nothing of vetbot's."""
