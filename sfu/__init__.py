# SPDX-License-Identifier: AGPL-3.0-or-later
"""Hubs SFU: LiveKit client signaling (protocol v0) over aiortc, with its own RTP path."""

__version__ = "0.1.0"
