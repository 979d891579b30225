# SPDX-License-Identifier: AGPL-3.0-or-later
"""Scheduled meetings: the schedule API, ICS invitations, e-mail and reminders."""
