# SPDX-License-Identifier: AGPL-3.0-or-later
"""Moderation of meetings: mute, mute all, camera rights and presenter rights, enforced by the SFU."""
