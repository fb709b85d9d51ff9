"""Teams edge: botbuilder ``CloudAdapter`` inbound (``app``, ``bot``, ``inbound``) and the
proactive outbound (``outbound``). botbuilder is imported nowhere else in vetbot, so the
Microsoft 365 Agents SDK can replace it here alone."""

from vetbot.bot.teams.app import TeamsEdge

__all__ = ["TeamsEdge"]
