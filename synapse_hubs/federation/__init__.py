# SPDX-License-Identifier: AGPL-3.0-or-later
"""Federation with partner organisations' servers: the partner list and its enforcement."""
