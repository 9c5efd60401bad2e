"""Alert-Team: a Slack desk for a brand's social-media customer service."""

__version__ = "0.1.0"
