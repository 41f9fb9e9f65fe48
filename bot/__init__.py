"""astra-bot: a Slack chat-ops bot for DataStax Astra DB."""
