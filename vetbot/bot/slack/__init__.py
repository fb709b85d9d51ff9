"""Slack edge: slack-bolt inbound (``app``, ``listeners``, ``inbound``, ``signature``) and the
Web API outbound (``outbound``). The Slack SDKs are imported nowhere else in vetbot."""

from vetbot.bot.slack.app import SlackEdge

__all__ = ["SlackEdge"]
