# The session-wide `bot` fixture (real Rasa + action server) lives in tests/conftest.py,
# shared with tests/channels, tests/browser and tests/staff.
