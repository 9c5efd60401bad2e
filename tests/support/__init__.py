"""Test helpers: a real redis-server, Slack request signing, and client redirection."""
