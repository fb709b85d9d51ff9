"""Platform-neutral command handling: receives neutral commands, returns neutral models.

May import checks, storage and models; never ``vetbot.bot`` or a platform SDK.
"""
