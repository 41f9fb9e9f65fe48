"""``python -m bot.astra.emulator --port 8765`` serves the emulator."""

from bot.astra.emulator.app import main

if __name__ == "__main__":  # pragma: no cover
    main()
