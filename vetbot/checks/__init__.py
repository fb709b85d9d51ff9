"""Pure domain: checks, their registry, scoring and the engine. No Slack, Teams or SQL imports here."""
