"""The watcher: the tick over pending operations, reconciliation of uncertain creates, notices."""
