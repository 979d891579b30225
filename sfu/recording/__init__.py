# SPDX-License-Identifier: AGPL-3.0-or-later
"""Meeting recording to WebM: taps on layers, frame assembly, audio mixing, muxing."""
