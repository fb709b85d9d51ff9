"""The edges: CLI, shell, Slack, Teams, the web app and renderers. Each platform SDK stays in its own module."""
