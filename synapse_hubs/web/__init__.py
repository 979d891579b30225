# SPDX-License-Identifier: AGPL-3.0-or-later
"""The join page: HTML shell, static files and the TypeScript sources in src/."""
