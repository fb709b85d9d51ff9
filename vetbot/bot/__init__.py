"""The edges: CLI, shell, Slack, Teams, web app, renderers. Each platform SDK stays in its own module."""
