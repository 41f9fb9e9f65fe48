"""The DevOps API endpoints of the emulator, one module per API group."""
